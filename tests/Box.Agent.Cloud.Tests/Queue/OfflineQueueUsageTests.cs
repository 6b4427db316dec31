using System.Text;
using Box.Agent.Cloud.Queue;

namespace Box.Agent.Cloud.Tests.Queue;

/// <summary>Usage reports in the offline queue: fsynced like events, never
/// dropped by the bounds, in order with everything else.</summary>
public sealed class OfflineQueueUsageTests : IDisposable
{
    readonly TempDir _dir = new("queue-usage");
    readonly List<string> _log = [];

    OfflineQueue Open(OfflineQueueLimits? limits = null) => OfflineQueue.Open(_dir.Path, limits, (level, message) => _log.Add($"{level}: {message}"));

    static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    static List<(QueueKind Kind, string Text)> Drain(OfflineQueue queue)
    {
        var drained = new List<(QueueKind, string)>();
        while (queue.TryPeek(out var message))
        {
            drained.Add((message.Kind, Encoding.UTF8.GetString(message.Payload)));
            queue.Acknowledge(message.Id);
        }
        return drained;
    }

    [Fact]
    public void FullQueueDropsTelemetryThenEventsButNeverUsage()
    {
        using var queue = Open(new OfflineQueueLimits(MaxMessages: 4, MaxBytes: 1 << 20));
        queue.Append(QueueKind.Telemetry, Bytes("t0"));
        queue.Append(QueueKind.Event, Bytes("e0"));
        queue.Append(QueueKind.Usage, Bytes("u0"));
        queue.Append(QueueKind.Telemetry, Bytes("t1"));
        queue.Append(QueueKind.Usage, Bytes("u1")); // drops t0
        queue.Append(QueueKind.Usage, Bytes("u2")); // drops t1
        Assert.Equal(2, queue.DroppedTelemetry);
        queue.Append(QueueKind.Usage, Bytes("u3")); // drops e0
        Assert.Equal(1, queue.DroppedEvents);
        for (var i = 4; i < 10; i++)
            Assert.True(queue.Append(QueueKind.Usage, Bytes($"u{i}")) > 0); // nothing left to drop: over the bound
        Assert.Equal(10, queue.Count);
        Assert.Equal(10, queue.UsageCount);
        Assert.Single(_log, l => l.Contains("usage reports only", StringComparison.Ordinal));
        // With only usage queued, new telemetry and events are the ones refused.
        Assert.Equal(-1, queue.Append(QueueKind.Telemetry, Bytes("t2")));
        Assert.Equal(-1, queue.Append(QueueKind.Event, Bytes("e1")));
        Assert.Equal((3, 2), (queue.DroppedTelemetry, queue.DroppedEvents));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (QueueKind.Usage, $"u{i}")), Drain(queue));
    }

    [Fact]
    public void UsageOverTheByteLimitSurvivesReopenAndNewLimits()
    {
        var limits = new OfflineQueueLimits(MaxMessages: 1000, MaxBytes: 4096);
        var report = new string('u', 1000);
        using (var queue = Open(limits))
        {
            queue.Append(QueueKind.Event, Bytes("e0"));
            for (var i = 0; i < 20; i++)
                queue.Append(QueueKind.Usage, Bytes($"u{i}:{report}")); // 20 KB in a 4 KiB queue
            Assert.True(queue.DiskBytes > limits.MaxBytes);
            Assert.Equal(1, queue.DroppedEvents);
        }
        using var reopened = Open(limits with { MaxBytes = 2048 });
        reopened.SetLimits(new OfflineQueueLimits(MaxMessages: 1, MaxBytes: 1024));
        Assert.Equal(20, reopened.Count);
        var texts = Drain(reopened).Select(m => m.Text[..m.Text.IndexOf(':')]).ToList();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"u{i}"), texts);
    }

    [Fact]
    public void UsageLargerThanTheWholeQueueIsKept()
    {
        using var queue = Open(new OfflineQueueLimits(MaxMessages: 10, MaxBytes: 1024));
        Assert.True(queue.Append(QueueKind.Usage, new byte[4000]) > 0);
        Assert.Equal(-1, queue.Append(QueueKind.Event, new byte[4000])); // an event that size is refused, as before
        Assert.True(queue.TryPeek(out var head));
        Assert.Equal((QueueKind.Usage, 4000), (head.Kind, head.Payload.Length));
    }

    [Fact]
    public void UsageKeepsItsPlaceAmongEventsAndTelemetryAcrossReopen()
    {
        var expected = new List<(QueueKind, string)>();
        using (var queue = Open())
        {
            for (var i = 0; i < 30; i++)
            {
                var kind = (QueueKind)(i % 3 + 1);
                queue.Append(kind, Bytes($"m{i}"));
                expected.Add((kind, $"m{i}"));
            }
            // Half delivered before the restart.
            for (var i = 0; i < 15; i++)
            {
                Assert.True(queue.TryPeek(out var head));
                queue.Acknowledge(head.Id);
            }
        }
        using var reopened = Open();
        Assert.Equal(expected.Skip(15), Drain(reopened));
    }

    public void Dispose() => _dir.Dispose();
}
