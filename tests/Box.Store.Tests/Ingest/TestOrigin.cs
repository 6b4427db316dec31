using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Box.Store.Tests.Ingest;

/// <summary>What the origin does with one request: write a raw HTTP/1.1
/// answer (or half of one, or garbage, or nothing) on the connection.</summary>
public delegate Task OriginHandler(OriginRequest request, OriginConnection connection);

/// <summary>One request as the origin read it; header names lowercase.</summary>
public sealed record OriginRequest(int Index, string Method, string Target, IReadOnlyDictionary<string, string> Headers)
{
    public string? Range => Headers.GetValueOrDefault("range");

    /// <summary>N of "Range: bytes=N-", null without a Range header.</summary>
    public long? RangeStart => Range is { } r && r.StartsWith("bytes=", StringComparison.Ordinal) && r.EndsWith('-')
        ? long.Parse(r.AsSpan(6, r.Length - 7), System.Globalization.CultureInfo.InvariantCulture)
        : null;
}

/// <summary>A real HTTP origin on a loopback port, built on raw sockets so a
/// test can make it misbehave at exactly the byte it wants: one request per
/// connection ("Connection: close"), every request recorded in order.</summary>
public sealed class TestOrigin : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<OriginRequest> _requests = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly OriginHandler _handler;
    private readonly Task _acceptLoop;
    private int _count;

    public TestOrigin(OriginHandler handler)
    {
        _handler = handler;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url(string path = "/chunk") => $"http://127.0.0.1:{Port}{path}";

    public IReadOnlyList<OriginRequest> Requests => [.. _requests];

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _connections.Add(Task.Run(() => ServeAsync(socket)));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            var connection = new OriginConnection(socket, _stop.Token);
            var request = await ReadRequestAsync(socket, Interlocked.Increment(ref _count) - 1);
            if (request is null)
                return;
            _requests.Enqueue(request);
            await _handler(request, connection);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The downloader hung up first (it does, on purpose, at a stall or
            // past the expected size).
        }
        finally
        {
            socket.Dispose();
        }
    }

    private async Task<OriginRequest?> ReadRequestAsync(Socket socket, int index)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await socket.ReceiveAsync(one, _stop.Token) == 0)
                return null;
            head.Add(one[0]);
        }
        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var first = lines[0].Split(' ');
        var headers = new Dictionary<string, string>();
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }
        return new OriginRequest(index, first[0], first[1], headers);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        await Task.WhenAll(_connections);
        _stop.Dispose();
    }
}

/// <summary>The origin's side of one connection.</summary>
public sealed class OriginConnection(Socket socket, CancellationToken stopping)
{
    /// <summary>Status line and headers; "Connection: close" is added.</summary>
    public Task SendHeadAsync(int status, string reason, params (string Name, string Value)[] headers)
    {
        var text = new StringBuilder($"HTTP/1.1 {status} {reason}\r\n");
        foreach (var (name, value) in headers)
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        text.Append("Connection: close\r\n\r\n");
        return SendAsync(Encoding.ASCII.GetBytes(text.ToString()));
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int n = await socket.SendAsync(bytes, SocketFlags.None, stopping);
            bytes = bytes[n..];
        }
    }

    /// <summary>A clean close (FIN): everything sent arrives, then end of stream.</summary>
    public void Close() => socket.Shutdown(SocketShutdown.Both);

    /// <summary>A reset (RST): bytes still in flight may be lost.</summary>
    public void Reset()
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    /// <summary>Sends nothing more until the client hangs up or the origin stops.</summary>
    public async Task HangAsync()
    {
        var sink = new byte[256];
        while (await socket.ReceiveAsync(sink, SocketFlags.None, stopping) > 0)
        {
        }
    }
}
