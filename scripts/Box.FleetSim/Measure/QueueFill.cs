using System.Text.Json.Nodes;
using Box.Agent.Cloud.Link;
using Box.Agent.Cloud.Queue;

namespace Box.FleetSim.Measure;

/// <summary>Fills an agent's offline queue the way an outage does, through the
/// agent's own link code: an <see cref="MqttCloudLink"/> over the data
/// directory that is never started (so nothing is sent), fed telemetry shaped
/// like the agent's and one event in ten, until <paramref name="count"/>
/// messages went in (the queue's limits drop the oldest telemetry first once
/// full, as on a box). The agent started on that directory afterwards opens
/// the queue as it would after a long outage and a restart.</summary>
public static class QueueFill
{
    public static async Task<(int Count, long Bytes, long DroppedTelemetry, long DroppedEvents)> FillAsync(
        string dataDir, string boxId, int count, OfflineQueueLimits limits)
    {
        await using var link = new MqttCloudLink(new CloudLinkOptions
        {
            Broker = new Uri("mqtt://127.0.0.1:1"),
            BoxId = boxId,
            DataDir = dataDir,
            Post = _ => { },
            QueueLimits = limits,
        });
        for (var i = 0; i < count; i++)
        {
            if (i % 10 == 9)
                link.PublishEvent("button.press", new JsonObject { ["durationMs"] = 120 });
            else
                link.PublishTelemetry(Telemetry(i));
        }
        var dropped = link.DroppedMessages;
        var queued = link.QueuedMessages;
        await link.DisposeAsync().ConfigureAwait(false);
        var bytes = Directory.EnumerateFiles(Path.Combine(dataDir, "cloud", "queue")).Sum(f => new FileInfo(f).Length);
        return (queued, bytes, dropped.Telemetry, dropped.Events);
    }

    /// <summary>The fields the agent's telemetry carries, with plausible values.</summary>
    private static JsonObject Telemetry(int i) => new()
    {
        ["uptime"] = 60L * i,
        ["systemUptime"] = 60L * i + 12,
        ["cpu"] = new JsonObject { ["percent"] = 0.4 },
        ["memory"] = new JsonObject { ["rssBytes"] = 14_200_000 },
        ["disk"] = new JsonArray(new JsonObject { ["device"] = "sda1", ["totalBytes"] = 1_000_204_886_016L, ["freeBytes"] = 412_000_000_000L }),
        ["store"] = new JsonObject { ["usedBytes"] = 588_000_000_000L, ["quotaBytes"] = 900_000_000_000L, ["chunks"] = 140_211 },
        ["bytesServed"] = 1_234_567_890L + i,
        ["connections"] = 3,
        ["temperatures"] = new JsonObject { ["cpu-thermal"] = 47.5 },
    };
}
