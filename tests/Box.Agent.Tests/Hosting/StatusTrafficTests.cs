using Box.Agent.Serving;
using Box.Agent.Storage;
using System.Net;
using System.Text.Json.Nodes;
using Box.Agent.Hosting;
using Box.Agent.Tests.Support;
using Box.Hal.Sim;

namespace Box.Agent.Tests.Hosting;

/// <summary>The status server, the traffic reporter and the supervisor on the simulated
/// board, over real HTTP: reading the status pages is not serving.</summary>
public class StatusTrafficTests
{
    [Fact]
    public async Task Status_page_requests_count_neither_in_bytes_served_nor_as_serving()
    {
        await using var agent = await SimAgent.StartAsync(new JsonObject { ["telemetryIntervalSeconds"] = 10 });
        var usb = agent.Dir.Combine("usb");
        Directory.CreateDirectory(usb);
        SimBoard.Plug(agent.SimDir, usb);
        await Eventually.TrueAsync(() => agent.LedPattern("disk") == "on", "disk LED on (mounted, idle)");

        var traffic = new ChunkTraffic();
        var parts = new HttpWiring.Parts(new StoreSet(), new ServeRecorders(), traffic);
        await using var http = (await HttpWiring.StartAsync(agent.Supervisor.Config with { Http = "127.0.0.1:0" }, "status-box", agent.Supervisor, agent.Log, parts))!;
        await using var reporter = new TrafficReporter(traffic, agent.Supervisor.Inbox);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://{http.Address}/") };

        // An owner with the page open: it reloads, and its keep-alive connection stays open.
        for (int i = 0; i < 10; i++)
        {
            foreach (var path in new[] { "status", "status.json", "metrics" })
            {
                using var response = await client.GetAsync(path);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
        Assert.True(http.Counters.BytesSent > 10_000, $"the status server sent {http.Counters.BytesSent} bytes");
        Assert.Equal(1, http.Counters.ActiveConnections);

        // A marker through the seam: once the supervisor sees exactly it, the reporter
        // has sampled after all those requests and did not add them.
        traffic.AddBytesServed(5);
        await Eventually.TrueAsync(() => agent.Supervisor.Snapshot.Traffic.BytesServed == 5, "the supervisor's bytesServed to be exactly the marker");
        Assert.Equal(0, agent.Supervisor.Snapshot.Traffic.Connections);
        await agent.SettleAsync();
        Assert.Equal("on", agent.LedPattern("disk")); // not heartbeat: nobody downloads chunks

        var json = JsonNode.Parse(await client.GetStringAsync("status.json"))!;
        Assert.Equal(5, (long)json["traffic"]!["bytesServed"]!);
        Assert.Equal(0, (long)json["traffic"]!["activeConnections"]!);
        Assert.Equal(0, (long)json["traffic"]!["requests"]!);
        Assert.Contains("box_served_bytes_total 5\n", await client.GetStringAsync("metrics"));

        agent.Time.Advance(TimeSpan.FromSeconds(10));
        var metrics = await Eventually.ValueAsync(() => agent.Link.Telemetry.LastOrDefault(), "telemetry");
        Assert.Equal(5, (long)metrics["bytesServed"]!);
    }

    [Fact]
    public async Task Chunk_connections_through_the_seam_turn_the_serving_led_on_and_off()
    {
        await using var agent = await SimAgent.StartAsync();
        var usb = agent.Dir.Combine("usb");
        Directory.CreateDirectory(usb);
        SimBoard.Plug(agent.SimDir, usb);
        await Eventually.TrueAsync(() => agent.LedPattern("disk") == "on", "disk LED on");
        var traffic = new ChunkTraffic();
        await using var reporter = new TrafficReporter(traffic, agent.Supervisor.Inbox);

        traffic.OpenConnection();
        traffic.AddBytesServed(1 << 20);
        await Eventually.TrueAsync(() => agent.LedPattern("disk") == "heartbeat", "serving: disk LED heartbeat");
        traffic.CloseConnection();
        await Eventually.TrueAsync(() => agent.LedPattern("disk") == "on", "idle again: disk LED on");
        Assert.Equal(1 << 20, agent.Supervisor.Snapshot.Traffic.BytesServed);
    }
}
