using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Box.Agent.Http;
using Box.Agent.Status;

namespace Box.Agent.Tests.Http;

/// <summary>A real <see cref="HttpServer"/> on 127.0.0.1 with a free port,
/// the status pages and any extra routes a test adds.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private TestServer(HttpServer server, HttpClient client, ConcurrentQueue<string> log)
    {
        Server = server;
        Client = client;
        Log = log;
    }

    public HttpServer Server { get; }
    public HttpClient Client { get; }
    public ConcurrentQueue<string> Log { get; }
    public int Port => Server.LocalEndPoint.Port;

    public static async Task<TestServer> StartAsync(
        Func<StatusSnapshot>? snapshot = null, HttpServerLimits? limits = null, Action<HttpRouter>? routes = null)
    {
        var router = new HttpRouter();
        router.MapStatusPages(snapshot ?? (() => TestSnapshots.Sample()));
        routes?.Invoke(router);
        var log = new ConcurrentQueue<string>();
        var server = new HttpServer(new IPEndPoint(IPAddress.Loopback, 0), router, limits, log.Enqueue);
        await server.StartAsync();
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{server.LocalEndPoint.Port}/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        return new TestServer(server, client, log);
    }

    public Task<RawHttpClient> ConnectAsync() => RawHttpClient.ConnectAsync(Port);

    /// <summary>The server still answers a normal request on a fresh connection.</summary>
    public async Task AssertStillServesAsync()
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await client.GetAsync($"http://127.0.0.1:{Port}/status.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"boxId\"", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Waits (generously) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, int timeoutSeconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}

internal sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>A byte-level HTTP client for input no well-behaved client would send.</summary>
internal sealed class RawHttpClient : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(20);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly List<byte> _pending = [];

    private RawHttpClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawHttpClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        return new RawHttpClient(tcp);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Reads one response; <paramref name="toHead"/> means no body follows
    /// whatever Content-Length says.</summary>
    public async Task<RawResponse> ReadResponseAsync(bool toHead = false)
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        int headEnd;
        while ((headEnd = IndexOfHeadEnd()) < 0)
        {
            if (!await FillAsync(timeout.Token))
                throw new IOException($"connection closed before a response head; got {_pending.Count} bytes");
        }
        var head = Encoding.Latin1.GetString(_pending.GetRange(0, headEnd).ToArray());
        _pending.RemoveRange(0, headEnd + 4);
        var lines = head.Split("\r\n");
        var statusParts = lines[0].Split(' ', 3);
        Assert.Equal("HTTP/1.1", statusParts[0]);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }
        int length = toHead ? 0 : int.Parse(headers["Content-Length"]);
        while (_pending.Count < length)
        {
            if (!await FillAsync(timeout.Token))
                throw new IOException("connection closed inside a response body");
        }
        var body = _pending.GetRange(0, length).ToArray();
        _pending.RemoveRange(0, length);
        return new RawResponse(int.Parse(statusParts[1]), headers, body);
    }

    /// <summary>True when the server closes (or resets) the connection within
    /// <paramref name="timeout"/>; data still arriving is discarded.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await FillAsync(cts.Token))
                _pending.Clear();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>Bytes received so far and not consumed by a response.</summary>
    public int PendingBytes => _pending.Count;

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int n = await _stream.ReadAsync(buffer, cancellationToken);
        _pending.AddRange(buffer.AsSpan(0, n));
        return n > 0;
    }

    private int IndexOfHeadEnd()
    {
        for (int i = 0; i + 3 < _pending.Count; i++)
        {
            if (_pending[i] == '\r' && _pending[i + 1] == '\n' && _pending[i + 2] == '\r' && _pending[i + 3] == '\n')
                return i;
        }
        return -1;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

internal static class TestSnapshots
{
    public static StatusSnapshot Sample(
        bool online = true, string? pairingCode = null, DateTimeOffset? pairingExpires = null, string? owner = "alice@example.org") => new()
    {
        BoxId = "box-7f3a9c",
        FirmwareVersion = "1.4.2-test",
        Slot = "b",
        Uptime = TimeSpan.FromSeconds(93784),
        Online = online,
        Paired = owner is not null,
        Owner = owner,
        PairingCode = pairingCode,
        PairingExpires = pairingExpires,
        Disks =
        [
            new DiskStatus
            {
                Device = "sda1", Label = "MEDIA", FsType = "ext4", SizeBytes = 500_107_862_016,
                MountPath = "/media/box/1f0c", FsUuid = "1f0c2a3e-9b7d-4c11-8d2e-5a6b7c8d9e0f",
            },
        ],
        Store = new StoreStatus { UsedBytes = 123_456_789_012, QuotaBytes = 450_000_000_000, Chunks = 48_213 },
        Traffic = new TrafficStatus { BytesServed = 9_876_543_210, ActiveConnections = 3, Requests = 120_345 },
        Update = new UpdateStatus { State = "idle" },
        ConfigVersion = 7,
        Leds = new Dictionary<string, string> { ["status"] = "On", ["network"] = "Heartbeat" },
    };
}
