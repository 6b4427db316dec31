using System.Text;
using Box.Agent.Cloud.Queue;
using Box.Agent.Cloud.Tests.Fixtures;

namespace Box.Agent.Cloud.Tests.Queue;

public sealed class OfflineQueueTests : IDisposable
{
    readonly TempDir _dir = new("queue");
    readonly List<string> _log = [];

    OfflineQueue Open(OfflineQueueLimits? limits = null) => OfflineQueue.Open(_dir.Path, limits, (level, message) => _log.Add($"{level}: {message}"));

    static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    static List<string> Drain(OfflineQueue queue)
    {
        var texts = new List<string>();
        while (queue.TryPeek(out var message))
        {
            texts.Add(Encoding.UTF8.GetString(message.Payload));
            queue.Acknowledge(message.Id);
        }
        return texts;
    }

    [Fact]
    public void RecordsSurviveReopenInOrder()
    {
        using (var queue = Open())
        {
            for (var i = 0; i < 50; i++)
                queue.Append(i % 3 == 0 ? QueueKind.Event : QueueKind.Telemetry, Bytes($"m{i}"));
        }
        using var reopened = Open();
        Assert.Equal(50, reopened.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"m{i}"), Drain(reopened));
    }

    [Fact]
    public void AcknowledgedRecordsAreNotSentAgainAfterReopen()
    {
        using (var queue = Open())
        {
            for (var i = 0; i < 10; i++)
                queue.Append(QueueKind.Event, Bytes($"e{i}"));
            for (var i = 0; i < 4; i++)
            {
                Assert.True(queue.TryPeek(out var head));
                queue.Acknowledge(head.Id);
            }
        }
        using var reopened = Open();
        Assert.Equal(Enumerable.Range(4, 6).Select(i => $"e{i}"), Drain(reopened));
    }

    [Fact]
    public void TornTailIsDroppedAndEarlierRecordsKept()
    {
        using (var queue = Open())
        {
            for (var i = 0; i < 5; i++)
                queue.Append(QueueKind.Event, Bytes($"event-{i}"));
        }
        var segment = Directory.GetFiles(_dir.Path, "seg-*.log").Single();
        // A power cut in the middle of the sixth append: a header and half a payload.
        var length = new FileInfo(segment).Length;
        using (var stream = new FileStream(segment, FileMode.Append))
            stream.Write(new byte[] { 40, 0, 0, 0, 1, 2, 3, 4, 9, 0, 0, 0, 0, 0, 0, 0, 2, (byte)'x', (byte)'y' });
        using (var reopened = Open())
        {
            Assert.Equal(Enumerable.Range(0, 5).Select(i => $"event-{i}"), Drain(reopened));
            Assert.Equal(length, new FileInfo(segment).Length);
            Assert.Contains(_log, l => l.Contains("torn or corrupted tail", StringComparison.Ordinal));
            // Appending after the cut continues cleanly.
            reopened.Append(QueueKind.Event, Bytes("after"));
        }
        using var again = Open();
        Assert.Equal(["after"], Drain(again));
    }

    [Fact]
    public void CorruptedRecordDropsItAndWhatFollowsButKeepsWhatCameBefore()
    {
        using (var queue = Open())
        {
            for (var i = 0; i < 6; i++)
                queue.Append(QueueKind.Event, Bytes($"event-{i}"));
        }
        var segment = Directory.GetFiles(_dir.Path, "seg-*.log").Single();
        var bytes = File.ReadAllBytes(segment);
        var recordSize = bytes.Length / 6;
        bytes[3 * recordSize + 20] ^= 0xFF; // flip a payload byte of the fourth record
        File.WriteAllBytes(segment, bytes);
        using var reopened = Open();
        Assert.Equal(["event-0", "event-1", "event-2"], Drain(reopened));
    }

    [Fact]
    public void FullQueueDropsOldestTelemetryBeforeAnyEvent()
    {
        using var queue = Open(new OfflineQueueLimits(MaxMessages: 5, MaxBytes: 1 << 20));
        queue.Append(QueueKind.Telemetry, Bytes("t0"));
        queue.Append(QueueKind.Event, Bytes("e0"));
        queue.Append(QueueKind.Telemetry, Bytes("t1"));
        queue.Append(QueueKind.Event, Bytes("e1"));
        queue.Append(QueueKind.Telemetry, Bytes("t2"));
        queue.Append(QueueKind.Event, Bytes("e2")); // drops t0
        queue.Append(QueueKind.Event, Bytes("e3")); // drops t1
        Assert.Equal(2, queue.DroppedTelemetry);
        Assert.Equal(0, queue.DroppedEvents);
        queue.Append(QueueKind.Event, Bytes("e4")); // drops t2
        queue.Append(QueueKind.Telemetry, Bytes("t3")); // only events left: the new telemetry goes
        Assert.Equal(4, queue.DroppedTelemetry);
        queue.Append(QueueKind.Event, Bytes("e5")); // no telemetry left: the oldest event goes
        Assert.Equal(1, queue.DroppedEvents);
        Assert.Equal(["e1", "e2", "e3", "e4", "e5"], Drain(queue));
    }

    [Fact]
    public void ByteLimitDropsTelemetryFirstAndSurvivesReopen()
    {
        var limits = new OfflineQueueLimits(MaxMessages: 1000, MaxBytes: 4096);
        using (var queue = Open(limits))
        {
            var blob = new string('x', 200);
            for (var i = 0; i < 100; i++)
            {
                queue.Append(QueueKind.Telemetry, Bytes($"t{i}:{blob}"));
                if (i % 10 == 0)
                    queue.Append(QueueKind.Event, Bytes($"e{i}"));
            }
            Assert.True(queue.Bytes <= 4096, $"queue holds {queue.Bytes} bytes");
            Assert.Equal(0, queue.DroppedEvents);
        }
        using var reopened = Open(limits);
        var texts = Drain(reopened);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"e{i * 10}"), texts.Where(t => t.StartsWith('e')));
        Assert.Contains(texts, t => t.StartsWith("t99:", StringComparison.Ordinal));
        // Segments do not pile up: the files stay near the limit.
        var onDisk = Directory.GetFiles(_dir.Path, "seg-*.log").Sum(f => new FileInfo(f).Length);
        Assert.True(onDisk <= 4096, $"segments hold {onDisk} bytes");
    }

    [Fact]
    public void ClearEmptiesTheQueueForGood()
    {
        using (var queue = Open())
        {
            queue.Append(QueueKind.Event, Bytes("old"));
            queue.Clear();
            Assert.Equal(0, queue.Count);
            queue.Append(QueueKind.Event, Bytes("new"));
        }
        using var reopened = Open();
        Assert.Equal(["new"], Drain(reopened));
    }

    long FilesOnDisk() => Directory.GetFiles(_dir.Path, "seg-*.log").Sum(f => new FileInfo(f).Length);

    [Fact]
    public void FilesStayWithinTheByteLimitUnderSustainedOverflow()
    {
        var limits = new OfflineQueueLimits(MaxMessages: 1_000_000, MaxBytes: 64 * 1024);
        var blob = new string('x', 180);
        var events = new List<string>();
        using (var queue = Open(limits))
        {
            for (var i = 0; i < 5000; i++)
            {
                if (i % 10 == 0)
                {
                    events.Add($"e{i}");
                    queue.Append(QueueKind.Event, Bytes($"e{i}"));
                }
                else
                {
                    queue.Append(QueueKind.Telemetry, Bytes($"t{i}:{blob}"));
                }
                Assert.True(queue.DiskBytes <= limits.MaxBytes, $"after append {i}: {queue.DiskBytes} bytes of files");
                if (i % 500 == 0)
                    Assert.Equal(queue.DiskBytes, FilesOnDisk());
            }
            Assert.Equal(0, queue.DroppedEvents);
            Assert.True(queue.DroppedTelemetry > 4000);
            Assert.True(queue.Bytes > limits.MaxBytes / 2, $"the room is used: {queue.Bytes} live bytes");
        }
        Assert.True(FilesOnDisk() <= limits.MaxBytes, $"{FilesOnDisk()} bytes on disk after close");
        using var reopened = Open(limits);
        var texts = Drain(reopened);
        Assert.Equal(events, texts.Where(t => t.StartsWith('e')));
        Assert.Contains(texts, t => t.StartsWith("t4999:", StringComparison.Ordinal));
        var ids = texts.Where(t => t.StartsWith('t')).Select(t => int.Parse(t[1..t.IndexOf(':')])).ToList();
        Assert.Equal(ids.Order(), ids); // what was kept is the newest, in order
    }

    [Fact]
    public void OnlyEventsLeftAreDroppedOldestFirstWithinTheByteLimit()
    {
        var limits = new OfflineQueueLimits(MaxMessages: 1_000_000, MaxBytes: 8 * 1024);
        using var queue = Open(limits);
        for (var i = 0; i < 1000; i++)
        {
            queue.Append(QueueKind.Event, Bytes($"e{i}:{new string('y', 100)}"));
            Assert.True(queue.DiskBytes <= limits.MaxBytes);
        }
        Assert.True(queue.DroppedEvents > 900);
        var texts = Drain(queue);
        Assert.Equal("e999", texts[^1][..4]);
        Assert.Equal(1000 - queue.DroppedEvents, texts.Count);
    }

    [Fact]
    public void CountBoundQueueReclaimsDroppedRecordsLongBeforeTheByteLimit()
    {
        var limits = new OfflineQueueLimits(MaxMessages: 100, MaxBytes: 16 * 1024 * 1024);
        using var queue = Open(limits);
        for (var i = 0; i < 20_000; i++)
            queue.Append(i % 10 == 0 ? QueueKind.Event : QueueKind.Telemetry, Bytes($"m{i}:{new string('z', 100)}"));
        Assert.Equal(100, queue.Count);
        // Live ~12 KB; the dead records of 19,900 drops (~2.5 MB) are not kept.
        Assert.True(queue.DiskBytes <= 2 * queue.Bytes + 2 * 1024 * 1024, $"{queue.DiskBytes} bytes of files for {queue.Bytes} live");
        Assert.Equal(queue.DiskBytes, FilesOnDisk());
    }

    [Fact]
    public void LeftoverCompactionCopyIsIgnoredAndDeletedOnOpen()
    {
        using (var queue = Open())
        {
            for (var i = 0; i < 5; i++)
                queue.Append(QueueKind.Event, Bytes($"e{i}"));
        }
        var segment = Directory.GetFiles(_dir.Path, "seg-*.log").Single();
        // A power cut before the rename: a half-written copy beside the whole segment.
        File.WriteAllBytes(Path.ChangeExtension(segment, ".compacting"), [1, 2, 3]);
        using var reopened = Open();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"e{i}"), Drain(reopened));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.compacting"));
    }

    [Fact]
    public void ManyAppendsDropsAndAcksKeepTheSameOrderAsASimpleModel()
    {
        var limits = new OfflineQueueLimits(MaxMessages: 300, MaxBytes: 32 * 1024);
        var random = new Random(5);
        var model = new LinkedList<(long Id, QueueKind Kind, string Text)>();
        using (var queue = Open(limits))
        {
            for (var i = 0; i < 20_000; i++)
            {
                if (random.Next(4) == 0 && queue.TryPeek(out var head))
                {
                    Assert.Equal(model.First!.Value.Id, head.Id);
                    Assert.Equal(model.First.Value.Text, Encoding.UTF8.GetString(head.Payload));
                    queue.Acknowledge(head.Id);
                    model.RemoveFirst();
                    continue;
                }
                var kind = random.Next(8) == 0 ? QueueKind.Event : QueueKind.Telemetry;
                var text = $"{kind}{i}:{new string('p', random.Next(200))}";
                var (telemetryBefore, eventsBefore) = (queue.DroppedTelemetry, queue.DroppedEvents);
                var id = queue.Append(kind, Bytes(text));
                // Mirror the drops the queue reports: oldest telemetry first, then oldest events.
                for (var d = telemetryBefore; d < queue.DroppedTelemetry - (id < 0 && kind == QueueKind.Telemetry ? 1 : 0); d++)
                    model.Remove(model.First(m => m.Kind == QueueKind.Telemetry));
                for (var d = eventsBefore; d < queue.DroppedEvents; d++)
                    model.Remove(model.First(m => m.Kind == QueueKind.Event));
                if (id >= 0)
                    model.AddLast((id, kind, text));
                Assert.Equal(model.Count, queue.Count);
                Assert.True(queue.DiskBytes <= limits.MaxBytes);
            }
        }
        using var reopened = Open(limits);
        Assert.Equal(model.Select(m => m.Text), Drain(reopened));
    }

    public void Dispose() => _dir.Dispose();
}
