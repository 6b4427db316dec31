using System.Text.Json.Nodes;
using Box.Agent.Cloud.Link;
using Box.Agent.Cloud.Tests.Fixtures;

namespace Box.Agent.Cloud.Tests.Link;

/// <summary>Tests that stop, pause or misbehave the broker; each has its own.</summary>
public sealed class MqttCloudLinkOutageTests : IDisposable
{
    readonly TempDir _data = new("outage");

    /// <summary>A lost connection's first retry waits up to the reconnect
    /// window (10 s by default); a fleet of one needs no spreading.</summary>
    static CloudLinkOptions ShortWindow(CloudLinkOptions options) => options with { ReconnectWindow = TimeSpan.FromMilliseconds(200) };

    [Fact]
    public async Task EventsPublishedWhileTheBrokerIsDownArriveExactlyOnceInOrder()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        // The proxy only holds the link back after the restart until the
        // cloud client has subscribed again (non-retained events go only to
        // subscribers present when they are published).
        await using var proxy = new TcpProxy(broker.Port);
        await using var agent = await AgentHarness.StartAsync(proxy.Url, _data.Path, configure: ShortWindow);
        var cloud = await CloudClient.ConnectAsync(broker.Url, agent.Topics.Events);
        for (var i = 0; i < 5; i++)
            agent.Link.PublishEvent("disk.added", new JsonObject { ["n"] = i });
        await Eventually.TrueAsync(() => cloud.All.Count == 5, "events before the outage");
        await cloud.DisposeAsync();

        proxy.Refuse = true;
        await broker.StopAsync();
        await Eventually.TrueAsync(() => !agent.Link.IsConnected, "link down");
        for (var i = 5; i < 205; i++)
            agent.Link.PublishEvent("disk.added", new JsonObject { ["n"] = i });
        agent.Link.PublishTelemetry(new JsonObject { ["uptime"] = 1 });
        Assert.Equal(201, agent.Link.QueuedMessages);

        await broker.RestartAsync();
        await using var after = await CloudClient.ConnectAsync(broker.Url, $"box/{agent.BoxId}/#");
        proxy.Refuse = false;
        await after.WaitForAsync(r => r.Topic == agent.Topics.Status && r.Text.Contains("\"online\":true"), "status online after restart");
        await Eventually.TrueAsync(() => after.On(agent.Topics.Events).Count >= 200, "queued events delivered");
        await Eventually.TrueAsync(() => agent.Link.QueuedMessages == 0, "queue drained");
        var numbers = after.On(agent.Topics.Events).Select(r => r.Json!["n"]!.GetValue<int>()).ToList();
        Assert.Equal(Enumerable.Range(5, 200), numbers);
        Assert.Single(after.On(agent.Topics.Telemetry));
        Assert.Contains(agent.LinkDownReasons, r => r.Length > 0);
    }

    [Fact]
    public async Task QueueSurvivesALinkRestartWhileOffline()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var boxId = "box-q-" + Guid.NewGuid().ToString("N")[..6];
        await broker.StopAsync();
        await using (var offline = await AgentHarness.StartAsync(broker.Url, _data.Path, boxId, waitForLinkUp: false))
        {
            for (var i = 0; i < 20; i++)
                offline.Link.PublishEvent("chunk.stored", new JsonObject { ["n"] = i });
        }
        await broker.RestartAsync();
        await using var cloud = await CloudClient.ConnectAsync(broker.Url, $"box/{boxId}/events");
        await using var agent = await AgentHarness.StartAsync(broker.Url, _data.Path, boxId);
        await Eventually.TrueAsync(() => cloud.All.Count >= 20, "events from before the restart");
        Assert.Equal(Enumerable.Range(0, 20), cloud.All.Select(r => r.Json!["n"]!.GetValue<int>()));
    }

    [Fact]
    public async Task WatchdogReconnectsAHalfOpenConnection()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var agent = await AgentHarness.StartAsync(broker.Url, _data.Path, configure: o => o with
        {
            LivenessInterval = TimeSpan.FromMilliseconds(300),
            LivenessTimeout = TimeSpan.FromMilliseconds(700),
            ConnectTimeout = TimeSpan.FromSeconds(1),
            ReconnectWindow = TimeSpan.FromMilliseconds(200),
        });
        broker.Pause(); // the socket stays open, nothing answers
        try
        {
            await Eventually.TrueAsync(() => agent.LinkDownReasons.Any(r => r.Contains("liveness", StringComparison.Ordinal)), "watchdog notices");
        }
        finally
        {
            broker.Resume();
        }
        await Eventually.TrueAsync(() => agent.LinkUps >= 2 && agent.Link.IsConnected, "reconnected");
        await using var cloud = await CloudClient.ConnectAsync(broker.Url, agent.Topics.Status);
        await cloud.WaitForAsync(r => r.Retain && r.Text.Contains("\"online\":true"), "status online");
    }

    [Fact]
    public async Task BrokerThatAcceptsThenDropsIsRetriedWithGrowingDelays()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var proxy = new TcpProxy(broker.Port) { Refuse = true };
        await using var agent = await AgentHarness.StartAsync(proxy.Url, _data.Path, waitForLinkUp: false,
            configure: o => o with { ReconnectBaseDelay = TimeSpan.FromMilliseconds(20), ReconnectMaxDelay = TimeSpan.FromSeconds(5) });
        await Task.Delay(1500); // the measurement window itself, not a wait for a condition
        var attempts = proxy.Accepted;
        // Without backoff this would be hundreds; with full jitter from 20 ms doubling it stays small.
        Assert.InRange(attempts, 2, 40);
        Assert.NotEmpty(agent.LinkDownReasons);
        proxy.Refuse = false;
        await Eventually.TrueAsync(() => agent.Link.IsConnected, "connects once the broker behaves");
    }

    public void Dispose() => _data.Dispose();
}
