using System.Buffers.Text;
using System.Globalization;

namespace Box.Agent.Http;

/// <summary>Formats response heads straight into bytes: no StringBuilder,
/// no string per response, the status line and Date (once per second) from
/// caches. It runs for every response, so on a chunk server it is a visible
/// share of the CPU per request.</summary>
internal static class ResponseHeadWriter
{
    private static DateStamp? _date;

    /// <summary>Writes the head (and <paramref name="body"/> after it) into
    /// <paramref name="buffer"/>, growing it if needed; returns the length.
    /// <paramref name="connection"/> is the Connection value or null for
    /// none. 304 carries no Content-Length (it describes no body here).</summary>
    public static int Write(ref byte[] buffer, int statusCode, string? contentType, long contentLength, string? connection,
        IReadOnlyList<KeyValuePair<string, string>> headers, DateTimeOffset now, ReadOnlySpan<byte> body = default)
    {
        int size = 160 + (contentType?.Length ?? 0) + body.Length;
        foreach (var (name, value) in headers)
            size += name.Length + value.Length + 4;
        if (buffer.Length < size)
            buffer = new byte[Math.Max(size, buffer.Length * 2)];
        var span = buffer.AsSpan();
        int at = 0;
        Put(span, ref at, StatusLine(statusCode));
        Put(span, ref at, "Date: "u8);
        Put(span, ref at, DateBytes(now));
        Put(span, ref at, "\r\nServer: box-agent\r\n"u8);
        if (contentType is not null)
        {
            Put(span, ref at, "Content-Type: "u8);
            PutLatin1(span, ref at, contentType);
            Put(span, ref at, "\r\n"u8);
        }
        if (statusCode != 304)
        {
            Put(span, ref at, "Content-Length: "u8);
            Utf8Formatter.TryFormat(contentLength, span[at..], out int written);
            at += written;
            Put(span, ref at, "\r\n"u8);
        }
        if (connection is not null)
        {
            Put(span, ref at, "Connection: "u8);
            PutLatin1(span, ref at, connection);
            Put(span, ref at, "\r\n"u8);
        }
        for (int i = 0; i < headers.Count; i++)
        {
            var (name, value) = headers[i];
            PutLatin1(span, ref at, name);
            Put(span, ref at, ": "u8);
            PutLatin1(span, ref at, value);
            Put(span, ref at, "\r\n"u8);
        }
        Put(span, ref at, "\r\n"u8);
        Put(span, ref at, body);
        return at;
    }

    private static void Put(Span<byte> span, ref int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[at..]);
        at += bytes.Length;
    }

    // Header text is checked to be Latin-1 when set (HttpResponse.SetHeader).
    private static void PutLatin1(Span<byte> span, ref int at, string text)
    {
        var target = span.Slice(at, text.Length);
        for (int i = 0; i < text.Length; i++)
            target[i] = (byte)text[i];
        at += text.Length;
    }

    private static ReadOnlySpan<byte> StatusLine(int statusCode) => statusCode switch
    {
        200 => "HTTP/1.1 200 OK\r\n"u8,
        206 => "HTTP/1.1 206 Partial Content\r\n"u8,
        304 => "HTTP/1.1 304 Not Modified\r\n"u8,
        400 => "HTTP/1.1 400 Bad Request\r\n"u8,
        401 => "HTTP/1.1 401 Unauthorized\r\n"u8,
        403 => "HTTP/1.1 403 Forbidden\r\n"u8,
        404 => "HTTP/1.1 404 Not Found\r\n"u8,
        416 => "HTTP/1.1 416 Range Not Satisfiable\r\n"u8,
        503 => "HTTP/1.1 503 Service Unavailable\r\n"u8,
        _ => System.Text.Encoding.Latin1.GetBytes(
            $"HTTP/1.1 {statusCode.ToString(CultureInfo.InvariantCulture)} {HttpStatus.ReasonPhrase(statusCode)}\r\n"),
    };

    /// <summary>The IMF-fixdate of <paramref name="now"/>, formatted once per second.</summary>
    private static byte[] DateBytes(DateTimeOffset now)
    {
        long second = now.ToUnixTimeSeconds();
        var stamp = Volatile.Read(ref _date);
        if (stamp is not null && stamp.Second == second)
            return stamp.Bytes;
        var bytes = System.Text.Encoding.ASCII.GetBytes(now.UtcDateTime.ToString("r", CultureInfo.InvariantCulture));
        Volatile.Write(ref _date, new DateStamp(second, bytes));
        return bytes;
    }

    private sealed record DateStamp(long Second, byte[] Bytes);
}
