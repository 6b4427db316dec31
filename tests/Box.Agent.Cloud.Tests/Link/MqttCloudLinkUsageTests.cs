using System.Text.Json.Nodes;
using Box.Agent.Cloud.Link;
using Box.Agent.Cloud.Tests.Fixtures;

namespace Box.Agent.Cloud.Tests.Link;

/// <summary>Usage reports over a real mosquitto: on box/{id}/usage, as given,
/// and through an outage exactly once, in order.</summary>
public sealed class MqttCloudLinkUsageTests : IDisposable
{
    readonly TempDir _data = new("link-usage");

    static JsonObject Report(long seq, long bytes) => new()
    {
        ["seq"] = seq,
        ["from"] = 1_767_225_600,
        ["to"] = 1_767_225_660,
        ["bytes"] = bytes,
        ["requests"] = 1,
        ["tokens"] = new JsonArray(new JsonObject { ["jti"] = $"t-{seq}", ["h"] = new string('a', 64), ["bytes"] = bytes, ["requests"] = 1 }),
    };

    [Fact]
    public async Task UsageReportIsPublishedOnTheUsageTopicAsGivenAndNotRetained()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var agent = await AgentHarness.StartAsync(broker.Url, _data.Path);
        await using var cloud = await CloudClient.ConnectAsync(broker.Url, $"box/{agent.BoxId}/#");
        agent.Link.PublishUsage(Report(41, 1_048_576));
        var usage = await cloud.WaitForAsync(r => r.Topic == agent.Topics.Usage, "usage report");
        Assert.Equal(Report(41, 1_048_576).ToJsonString(), usage.Text);
        Assert.False(usage.Retain);
        Assert.Throws<ArgumentException>(() => agent.Link.PublishUsage(new JsonObject { ["bytes"] = 1 }));
        await Eventually.TrueAsync(() => agent.Link.QueuedUsage == 0, "usage acknowledged");
    }

    [Fact]
    public async Task UsageQueuedThroughAnOutageAndARestartArrivesOnceInOrderAndIsNeverDropped()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var boxId = "box-u-" + Guid.NewGuid().ToString("N")[..6];
        await broker.StopAsync();
        // A queue far too small for the outage: telemetry and events make room, usage never.
        Func<CloudLinkOptions, CloudLinkOptions> tiny = o => o with { QueueLimits = new(MaxMessages: 10, MaxBytes: 4096) };
        await using (var offline = await AgentHarness.StartAsync(broker.Url, _data.Path, boxId, configure: tiny, waitForLinkUp: false))
        {
            for (var i = 1; i <= 50; i++)
            {
                offline.Link.PublishTelemetry(new JsonObject { ["uptime"] = i });
                offline.Link.PublishUsage(Report(i, i * 1000));
                if (i % 10 == 0)
                    offline.Link.PublishEvent("disk.added", new JsonObject { ["n"] = i });
            }
            Assert.Equal(50, offline.Link.QueuedUsage);
        }
        await broker.RestartAsync();
        await using var cloud = await CloudClient.ConnectAsync(broker.Url, $"box/{boxId}/usage");
        await using var agent = await AgentHarness.StartAsync(broker.Url, _data.Path, boxId, configure: tiny);
        await Eventually.TrueAsync(() => agent.Link.QueuedUsage == 0, "usage drained");
        await Eventually.TrueAsync(() => cloud.All.Count >= 50, "50 usage reports");
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), cloud.All.Select(r => r.Json!["seq"]!.GetValue<long>()));
        Assert.Equal(Enumerable.Range(1, 50).Sum(i => i * 1000L), cloud.All.Sum(r => r.Json!["bytes"]!.GetValue<long>()));
    }

    public void Dispose() => _data.Dispose();
}
