using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Box.Agent.Http;
using Box.Agent.Serving;

namespace Box.Agent.Tests.Serving;

public class ChunkServerLimitsTests
{
    [Fact]
    public async Task Global_rate_limit_holds_the_download_near_the_limit()
    {
        const long rate = 2_000_000;
        var limiter = new ServeRateLimiter(new ServeRateSettings(rate, []));
        await using var h = await ChunkServerHarness.StartAsync(limiter: limiter);
        var (hash, data) = h.AddChunk(6_000_000);
        using var client = h.Client();

        var watch = Stopwatch.StartNew();
        using var response = await client.SendAsync(ChunkServerHarness.Get(hash, h.Token(hash)));
        var body = await response.Content.ReadAsByteArrayAsync();
        double achieved = body.Length / watch.Elapsed.TotalSeconds;

        Assert.Equal(data, body);
        // Wide band: a loaded 2-core machine only ever makes it slower; the
        // precise figure is scripts/bench.d/serve-rate's job.
        Assert.InRange(achieved, rate * 0.5, rate * 1.1);
        Assert.Equal(rate, limiter.CurrentLimit);
    }

    [Fact]
    public async Task Per_connection_limit_applies_to_each_connection_and_a_new_limit_applies_mid_download()
    {
        var limiter = new ServeRateLimiter(new ServeRateSettings(0, [], PerConnectionBytesPerSecond: 1_000_000));
        await using var h = await ChunkServerHarness.StartAsync(limiter: limiter);
        var (hash, _) = h.AddChunk(3_000_000);
        using var client = h.Client();

        var watch = Stopwatch.StartNew();
        var downloads = Enumerable.Range(0, 2).Select(async _ =>
        {
            using var response = await client.SendAsync(ChunkServerHarness.Get(hash, h.Token(hash)));
            return (await response.Content.ReadAsByteArrayAsync()).Length / watch.Elapsed.TotalSeconds;
        }).ToArray();
        var rates = await Task.WhenAll(downloads);
        foreach (var achieved in rates)
            Assert.InRange(achieved, 500_000, 1_100_000);

        // Lifting the limit at run time frees a slow download.
        limiter.Update(new ServeRateSettings(0, [], PerConnectionBytesPerSecond: 100_000));
        var (big, _) = h.AddChunk(20_000_000);
        var slow = client.SendAsync(ChunkServerHarness.Get(big, h.Token(big)));
        await Eventually.TrueAsync(() => h.Traffic.ActiveConnections == 1, "download started");
        limiter.Update(ServeRateSettings.Unlimited);
        using var done = await slow.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(20_000_000, (await done.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task A_thousand_connections_from_one_address_leave_another_address_served()
    {
        await using var h = await ChunkServerHarness.StartAsync(limits: new HttpServerLimits { MaxConnectionsPerAddress = 16, MaxConnections = 256 });
        var (hash, data) = h.AddChunk(64 * 1024);
        var token = h.Token(hash);
        var flood = new List<Socket>();
        using var stopFlood = new CancellationTokenSource();
        // Idle and trickling connections from 127.0.0.1, reopened as the server drops them.
        var flooding = Task.Run(async () =>
        {
            while (!stopFlood.IsCancellationRequested)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                lock (flood)
                    flood.Add(socket);
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, h.Port);
                    _ = socket.SendAsync("GET /chunks/"u8.ToArray(), SocketFlags.None);
                }
                catch (SocketException)
                {
                }
                lock (flood)
                {
                    if (flood.Count >= 1000)
                        break;
                }
            }
        });
        await Eventually.TrueAsync(() => h.Server.Counters.ConnectionsRefusedPerAddress > 500, "the flood is being refused");
        Assert.Equal(16, h.Server.OpenConnectionsFrom(IPAddress.Loopback));

        using var other = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                await socket.ConnectAsync(IPAddress.Loopback, h.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        }) { BaseAddress = new Uri($"http://127.0.0.1:{h.Port}/"), Timeout = TimeSpan.FromSeconds(30) };
        int served = 0;
        var latencies = new List<TimeSpan>();
        for (int i = 0; i < 200; i++)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                using var request = ChunkServerHarness.Get(hash, token);
                request.Headers.ConnectionClose = i % 2 == 0;
                using var response = await other.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadAsByteArrayAsync()).Length == data.Length)
                    served++;
            }
            catch (HttpRequestException)
            {
            }
            latencies.Add(watch.Elapsed);
        }
        await stopFlood.CancelAsync();
        await flooding;
        lock (flood)
        {
            foreach (var socket in flood)
                socket.Dispose();
        }

        Assert.True(served >= 198, $"served {served} of 200");
        latencies.Sort();
        // Generous for a loaded 2-core machine; a refused or queued request takes seconds.
        Assert.True(latencies[latencies.Count / 2] < TimeSpan.FromMilliseconds(500), $"median {latencies[latencies.Count / 2]}");
    }

    [Fact]
    public async Task Dual_mode_listener_serves_ipv6_and_ipv4_clients()
    {
        await using var h = await ChunkServerHarness.StartAsync(bind: IPAddress.IPv6Any);
        var (hash, data) = h.AddChunk(10_000);

        foreach (var address in new[] { IPAddress.IPv6Loopback, IPAddress.Loopback })
        {
            using var client = h.Client(address);
            using var response = await client.SendAsync(ChunkServerHarness.Get(hash, h.Token(hash)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(data, await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Theory]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff::9", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("::1", "0.0.0.0", false)]
    public void Addresses_are_counted_per_ipv4_address_and_per_ipv6_64(string a, string b, bool same)
    {
        Assert.Equal(same, ClientAddressKey.Of(IPAddress.Parse(a)) == ClientAddressKey.Of(IPAddress.Parse(b)));
    }
}
