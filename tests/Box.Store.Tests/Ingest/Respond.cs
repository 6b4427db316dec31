using System.Globalization;

namespace Box.Store.Tests.Ingest;

/// <summary>Origin behaviours the ingest tests combine.</summary>
public static class Respond
{
    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A correct origin: 200 with the content, or 206 from the start of
    /// a "bytes=N-" Range unless <paramref name="honourRange"/> is false.</summary>
    public static OriginHandler Content(byte[] content, bool honourRange = true) => async (request, c) =>
    {
        if (honourRange && request.RangeStart is { } start)
        {
            if (start >= content.Length)
            {
                await c.SendHeadAsync(416, "Range Not Satisfiable", ("Content-Range", $"bytes */{N(content.Length)}"), ("Content-Length", "0"));
                return;
            }
            await c.SendHeadAsync(206, "Partial Content", ("Content-Length", N(content.Length - start)),
                ("Content-Range", $"bytes {N(start)}-{N(content.Length - 1)}/{N(content.Length)}"));
            await c.SendAsync(content.AsMemory((int)start));
            return;
        }
        await c.SendHeadAsync(200, "OK", ("Content-Length", N(content.Length)));
        await c.SendAsync(content);
    };

    /// <summary>Starts a full 200 answer (or a 206 for a Range), sends
    /// <paramref name="bytes"/> of body, then does <paramref name="end"/>.</summary>
    public static OriginHandler PartThen(byte[] content, int bytes, Func<OriginConnection, Task> end) => async (request, c) =>
    {
        long start = request.RangeStart ?? 0;
        if (start > 0)
            await c.SendHeadAsync(206, "Partial Content", ("Content-Length", N(content.Length - start)),
                ("Content-Range", $"bytes {N(start)}-{N(content.Length - 1)}/{N(content.Length)}"));
        else
            await c.SendHeadAsync(200, "OK", ("Content-Length", N(content.Length)));
        await c.SendAsync(content.AsMemory((int)start, bytes));
        await end(c);
    };

    public static OriginHandler DropAfter(byte[] content, int bytes) => PartThen(content, bytes, c =>
    {
        c.Close();
        return Task.CompletedTask;
    });

    public static OriginHandler ResetAfter(byte[] content, int bytes) => PartThen(content, bytes, c =>
    {
        c.Reset();
        return Task.CompletedTask;
    });

    public static OriginHandler StallAfter(byte[] content, int bytes) => PartThen(content, bytes, c => c.HangAsync());

    /// <summary>A body with no length that never ends.</summary>
    public static OriginHandler Endless() => async (_, c) =>
    {
        await c.SendHeadAsync(200, "OK");
        var block = new byte[64 << 10];
        Random.Shared.NextBytes(block);
        while (true)
            await c.SendAsync(block);
    };

    public static OriginHandler Status(int status, string reason) => (_, c) =>
        c.SendHeadAsync(status, reason, ("Content-Length", "0"));

    public static OriginHandler Redirect(string location) => (_, c) =>
        c.SendHeadAsync(302, "Found", ("Location", location), ("Content-Length", "0"));

    /// <summary>The n-th request gets the n-th handler; the last one answers the rest.</summary>
    public static OriginHandler InTurn(params OriginHandler[] handlers) => (request, c) =>
        handlers[Math.Min(request.Index, handlers.Length - 1)](request, c);

    /// <summary>Answers by request path ("/a", "/b"…).</summary>
    public static OriginHandler ByPath(params (string Path, OriginHandler Handler)[] routes) => (request, c) =>
        routes.First(r => r.Path == request.Target).Handler(request, c);

    /// <summary>Raw head and body, for headers no other helper writes.</summary>
    public static OriginHandler Raw(int status, string reason, byte[] body, params (string, string)[] headers) => async (_, c) =>
    {
        await c.SendHeadAsync(status, reason, headers);
        await c.SendAsync(body);
    };
}
