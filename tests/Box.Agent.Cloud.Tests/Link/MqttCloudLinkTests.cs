using System.Text.Json.Nodes;
using Box.Agent.Cloud.Link;
using Box.Agent.Cloud.Tests.Fixtures;

namespace Box.Agent.Cloud.Tests.Link;

public sealed class MqttCloudLinkTests(SharedBroker shared) : IClassFixture<SharedBroker>, IDisposable
{
    readonly TempDir _data = new("link");
    MosquittoBroker Broker => shared.Broker;

    static bool IsStatus(Received r, bool online) => r.Json?["online"]?.GetValue<bool>() == online;

    [Fact]
    public async Task StatusIsRetainedOnlineOnConnectAndOfflineAfterCleanStop()
    {
        var agent = await AgentHarness.StartAsync(Broker.Url, _data.Path);
        var statusTopic = agent.Topics.Status;
        // A client that subscribes later gets the retained document.
        await using (var late = await CloudClient.ConnectAsync(Broker.Url, statusTopic))
        {
            var status = await late.WaitForAsync(r => r.Retain, "retained status");
            Assert.Equal("""{"online":true,"fw":"1.2.0","slot":"b","bootedAt":1700000000}""", status.Text);
        }
        Assert.Equal(1, agent.LinkUps);
        await agent.DisposeAsync();
        await using var after = await CloudClient.ConnectAsync(Broker.Url, statusTopic);
        var offline = await after.WaitForAsync(r => r.Retain, "retained status after stop");
        Assert.Equal("""{"online":false}""", offline.Text);
    }

    [Fact]
    public async Task AbruptlyDroppedConnectionPublishesTheLastWillThenComesBackOnline()
    {
        await using var proxy = new TcpProxy(Broker.Port);
        // A fleet of one needs no reconnect window (10 s by default).
        await using var agent = await AgentHarness.StartAsync(proxy.Url, _data.Path,
            configure: o => o with { ReconnectWindow = TimeSpan.FromMilliseconds(200) });
        await using var cloud = await CloudClient.ConnectAsync(Broker.Url, agent.Topics.Status);
        await cloud.WaitForAsync(r => IsStatus(r, true), "online");
        proxy.DropAll(); // no DISCONNECT reaches the broker: it must send the will
        await cloud.WaitForAsync(r => IsStatus(r, false) && r.Text == """{"online":false}""", "last will");
        var willIndex = cloud.All.ToList().FindIndex(r => IsStatus(r, false));
        await Eventually.TrueAsync(() => cloud.All.Skip(willIndex + 1).Any(r => IsStatus(r, true)), "online again after reconnect");
        await Eventually.TrueAsync(() => agent.LinkUps == 2, "second LinkUp");
        Assert.NotEmpty(agent.LinkDownReasons);
    }

    [Fact]
    public async Task StateIsDebouncedAndRetained()
    {
        await using var agent = await AgentHarness.StartAsync(Broker.Url, _data.Path,
            configure: o => o with { StateDebounce = TimeSpan.FromSeconds(1) });
        await using var cloud = await CloudClient.ConnectAsync(Broker.Url, agent.Topics.State);
        for (var i = 0; i < 20; i++)
            agent.Link.ReportState(new JsonObject { ["paired"] = false, ["configVersion"] = i });
        await cloud.WaitForAsync(r => r.Json?["configVersion"]?.GetValue<int>() == 19, "latest state");
        // 20 changes within one debounce period: one publication (two if the
        // loop raced the first change), never one per change.
        Assert.InRange(cloud.On(agent.Topics.State).Count, 1, 2);
        await using var late = await CloudClient.ConnectAsync(Broker.Url, agent.Topics.State);
        var retained = await late.WaitForAsync(r => r.Retain, "retained state");
        Assert.Equal(19, retained.Json!["configVersion"]!.GetValue<int>());
    }

    [Fact]
    public async Task PairingIsRetainedAndClearedWithAnEmptyRetainedMessage()
    {
        await using var agent = await AgentHarness.StartAsync(Broker.Url, _data.Path);
        await using var cloud = await CloudClient.ConnectAsync(Broker.Url, agent.Topics.Pairing);
        agent.Link.ReportPairing(new JsonObject { ["codeSha256"] = "ab12", ["expires"] = 1_700_000_600 });
        var open = await cloud.WaitForAsync(r => r.Payload.Length > 0, "pairing document");
        Assert.Equal("ab12", open.Json!["codeSha256"]!.GetValue<string>());
        agent.Link.ReportPairing(null);
        await cloud.WaitForAsync(r => r.Payload.Length == 0, "pairing cleared");
        await using var late = await CloudClient.ConnectAsync(Broker.Url, agent.Topics.Pairing);
        // A retained message is delivered on subscribe, before anything published
        // later on the topic: a marker published now arrives first only if nothing was retained.
        await late.PublishAsync(agent.Topics.Pairing, "marker");
        await late.WaitForAsync(r => r.Text == "marker", "marker");
        Assert.Equal(["marker"], late.All.Select(r => r.Text));
    }

    [Fact]
    public async Task EventSeqKeepsIncreasingAcrossALinkRestartWithTheSameDataDir()
    {
        var boxId = "box-seq-" + Guid.NewGuid().ToString("N")[..6];
        await using var cloud = await CloudClient.ConnectAsync(Broker.Url, $"box/{boxId}/events");
        for (var run = 0; run < 2; run++)
        {
            await using var agent = await AgentHarness.StartAsync(Broker.Url, _data.Path, boxId);
            for (var i = 0; i < 3; i++)
                agent.Link.PublishEvent("button.press", new JsonObject { ["run"] = run, ["i"] = i, ["seq"] = 999 });
            await Eventually.TrueAsync(() => cloud.All.Count == 3 * (run + 1), "events of run " + run);
        }
        var events = cloud.All.Select(r => r.Json!.AsObject()).ToList();
        var seqs = events.Select(e => e["seq"]!.GetValue<long>()).ToList();
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(seqs.Count, seqs.Distinct().Count());
        Assert.All(events, e =>
        {
            Assert.Equal("button.press", e["type"]!.GetValue<string>());
            Assert.InRange(e["ts"]!.GetValue<long>(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        });
        Assert.Equal([0, 0, 0, 1, 1, 1], events.Select(e => e["run"]!.GetValue<int>()));
    }

    [Fact]
    public async Task TelemetryIsPublishedWithATimestamp()
    {
        await using var agent = await AgentHarness.StartAsync(Broker.Url, _data.Path);
        await using var cloud = await CloudClient.ConnectAsync(Broker.Url, agent.Topics.Telemetry);
        agent.Link.PublishTelemetry(new JsonObject { ["uptime"] = 42, ["cpu"] = 0.5 });
        var telemetry = await cloud.WaitForAsync(_ => true, "telemetry");
        Assert.Equal(42, telemetry.Json!["uptime"]!.GetValue<int>());
        Assert.NotNull(telemetry.Json["ts"]);
        Assert.False(telemetry.Retain);
    }

    [Fact]
    public async Task DesiredConfigIsPostedToTheSupervisorWithoutBlocking()
    {
        await using var agent = await AgentHarness.StartAsync(Broker.Url, _data.Path);
        await using var cloud = await CloudClient.ConnectAsync(Broker.Url, "");
        await cloud.PublishAsync(agent.Topics.Config, """{"version":7}""", retain: true);
        await Eventually.TrueAsync(() => agent.Seen.OfType<CloudInput.DesiredConfigArrived>().Any(), "config posted");
        var config = agent.Seen.OfType<CloudInput.DesiredConfigArrived>().First();
        Assert.Equal("""{"version":7}""", System.Text.Encoding.UTF8.GetString(config.Payload.Span));
        await cloud.PublishAsync(agent.Topics.Config, "", retain: true); // leave no retained junk
    }

    [Fact]
    public void BadOptionsAreRefusedWithAMessageNamingTheOption()
    {
        var options = new CloudLinkOptions { Broker = new Uri("http://127.0.0.1:1"), BoxId = "b1", Post = _ => { }, DataDir = _data.Path };
        Assert.Contains("broker:", Assert.Throws<ArgumentException>(() => new MqttCloudLink(options)).Message);
        Assert.Contains("box id:", Assert.Throws<ArgumentException>(() => new MqttCloudLink(options with { Broker = Broker.Url, BoxId = "a/b" })).Message);
        Assert.Contains("ca file:", Assert.Throws<ArgumentException>(() => new MqttCloudLink(options with { Broker = new Uri("mqtts://127.0.0.1:1"), CaFile = _data["missing.pem"] })).Message);
    }

    public void Dispose() => _data.Dispose();
}
