using System.Globalization;
using Box.Agent.Cloud.Durable;

namespace Box.Agent.Cloud.Queue;

/// <summary>Durable FIFO of telemetry and events for the time the broker is
/// unreachable (and for the moment between publish and PUBACK while it is
/// reachable). Append-only segment files of CRC-framed records plus an
/// acknowledged-id mark; a torn tail left by a power cut is cut off on open.
/// Bounded by message count and bytes: the oldest telemetry is dropped
/// first, events only when no telemetry is left. Thread-safe.</summary>
public sealed class OfflineQueue : IDisposable
{
    const string SegmentPrefix = "seg-";
    const string SegmentSuffix = ".log";
    const int MaxRecordBytes = 16 * 1024 * 1024;

    sealed class Segment(long number, string path, FileStream stream)
    {
        public long Number { get; } = number;
        public string Path { get; } = path;
        public FileStream Stream { get; } = stream;
        public long Length { get; set; }
        public int Live { get; set; }
    }

    sealed record Entry(long Id, QueueKind Kind, Segment Segment, FramedRecord Record);

    readonly object _gate = new();
    readonly string _directory;
    readonly Action<string, string>? _log;
    readonly AckMark _ack;
    readonly List<Segment> _segments = [];
    readonly LinkedList<Entry> _order = new();
    readonly Queue<LinkedListNode<Entry>> _telemetry = new();
    readonly Queue<LinkedListNode<Entry>> _events = new();
    OfflineQueueLimits _limits;
    long _segmentBytes;
    long _nextId;
    long _bytes;
    bool _disposed;

    /// <summary>Messages dropped because the queue was full, since open.</summary>
    public long DroppedTelemetry { get; private set; }
    public long DroppedEvents { get; private set; }

    public int Count { get { lock (_gate) return _order.Count; } }
    public long Bytes { get { lock (_gate) return _bytes; } }

    /// <summary>Raised (outside the lock) after an append; the link wakes its sender.</summary>
    public event Action? Appended;

    OfflineQueue(string directory, OfflineQueueLimits limits, Action<string, string>? log)
    {
        limits.Validate();
        _directory = directory;
        _limits = limits;
        _segmentBytes = SegmentBytesFor(limits);
        _log = log;
        Directory.CreateDirectory(directory);
        _ack = new AckMark(Path.Combine(directory, "acked"));
    }

    /// <summary>Opens (or creates) the queue in <paramref name="directory"/>,
    /// recovering whatever a crash or power cut left behind.</summary>
    public static OfflineQueue Open(string directory, OfflineQueueLimits? limits = null, Action<string, string>? log = null)
    {
        var queue = new OfflineQueue(directory, limits ?? new OfflineQueueLimits(), log);
        try
        {
            queue.Recover();
        }
        catch
        {
            queue.Dispose();
            throw;
        }
        return queue;
    }

    static long SegmentBytesFor(OfflineQueueLimits limits) => Math.Clamp(limits.MaxBytes / 4, 4096, 1024 * 1024);

    void Recover()
    {
        var acked = _ack.Value;
        var maxId = acked;
        var seen = new HashSet<long>();
        var entries = new List<Entry>();
        foreach (var (number, path) in ListSegments())
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
            var segment = new Segment(number, path, stream);
            var (records, validLength) = FramedRecord.Scan(stream, MaxRecordBytes);
            if (validLength < stream.Length)
            {
                _log?.Invoke("warn", $"offline queue: {Path.GetFileName(path)} has a torn or corrupted tail at byte {validLength} of {stream.Length}; dropped it, kept {records.Count} records before it");
                stream.SetLength(validLength);
                stream.Flush(flushToDisk: true);
            }
            segment.Length = validLength;
            _segments.Add(segment);
            foreach (var record in records)
            {
                maxId = Math.Max(maxId, record.Id);
                // Ids at or below the mark were delivered; a repeated id is a
                // copy left by a compaction that did not finish.
                if (record.Id <= acked || !seen.Add(record.Id) || !Enum.IsDefined((QueueKind)record.Kind))
                    continue;
                entries.Add(new Entry(record.Id, (QueueKind)record.Kind, segment, record));
            }
        }
        entries.Sort((a, b) => a.Id.CompareTo(b.Id));
        foreach (var entry in entries)
            Link(entry);
        _nextId = maxId + 1;
        var (droppedTelemetry, droppedEvents) = (DroppedTelemetry, DroppedEvents);
        while (_order.Count > _limits.MaxMessages || _bytes > _limits.MaxBytes)
            DropOldest(preferTelemetry: true);
        if (DroppedTelemetry > droppedTelemetry || DroppedEvents > droppedEvents)
            _log?.Invoke("warn", $"offline queue: over its limits on open; dropped {DroppedTelemetry - droppedTelemetry} telemetry and {DroppedEvents - droppedEvents} events");
        DeleteDeadSegments();
        if (_segments.Count == 0 || _segments[^1].Length >= _segmentBytes)
            StartSegment();
        if (_order.Count > 0)
            _log?.Invoke("info", $"offline queue: {_order.Count} messages ({_bytes} bytes) waiting from before");
    }

    IEnumerable<(long Number, string Path)> ListSegments()
    {
        var list = new List<(long, string)>();
        foreach (var path in Directory.EnumerateFiles(_directory, SegmentPrefix + "*" + SegmentSuffix))
        {
            var name = Path.GetFileName(path);
            var digits = name[SegmentPrefix.Length..^SegmentSuffix.Length];
            if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                list.Add((number, path));
        }
        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return list;
    }

    Segment StartSegment(long? number = null)
    {
        number ??= _segments.Count == 0 ? 1 : _segments[^1].Number + 1;
        var path = Path.Combine(_directory, $"{SegmentPrefix}{number:D8}{SegmentSuffix}");
        var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        AtomicFile.SyncDirectory(_directory);
        var segment = new Segment(number.Value, path, stream);
        _segments.Add(segment);
        return segment;
    }

    void Link(Entry entry)
    {
        var node = _order.AddLast(entry);
        (entry.Kind == QueueKind.Telemetry ? _telemetry : _events).Enqueue(node);
        entry.Segment.Live++;
        _bytes += entry.Record.TotalLength;
    }

    void Unlink(LinkedListNode<Entry> node)
    {
        _order.Remove(node);
        node.Value.Segment.Live--;
        _bytes -= node.Value.Record.TotalLength;
    }

    void DropOldest(bool preferTelemetry)
    {
        if (preferTelemetry && _telemetry.Count > 0)
        {
            Unlink(_telemetry.Dequeue());
            DroppedTelemetry++;
        }
        else if (_events.Count > 0)
        {
            Unlink(_events.Dequeue());
            DroppedEvents++;
        }
        else if (_telemetry.Count > 0)
        {
            Unlink(_telemetry.Dequeue());
            DroppedTelemetry++;
        }
    }

    /// <summary>Appends a message; events are fsynced before this returns,
    /// telemetry only reaches the page cache (the next event or ack sync
    /// carries it). Returns the message's id, or -1 when it was dropped
    /// (larger than the whole queue, or telemetry with only events queued).</summary>
    public long Append(QueueKind kind, ReadOnlySpan<byte> payload)
    {
        long id;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var size = FramedRecord.HeaderSize + payload.Length;
            if (size > _limits.MaxBytes || payload.Length > MaxRecordBytes)
            {
                _log?.Invoke("warn", $"offline queue: a {kind} message of {payload.Length} bytes is larger than the queue ({_limits.MaxBytes} bytes); dropped");
                CountDrop(kind);
                return -1;
            }
            while (_order.Count + 1 > _limits.MaxMessages || _bytes + size > _limits.MaxBytes)
            {
                if (kind == QueueKind.Telemetry && _telemetry.Count == 0)
                {
                    // New telemetry never pushes out an event.
                    CountDrop(kind);
                    return -1;
                }
                var before = DroppedEvents;
                DropOldest(preferTelemetry: true);
                if (DroppedEvents > before)
                    _log?.Invoke("warn", $"offline queue: full of events; dropped the oldest ({DroppedEvents} events dropped so far)");
            }
            id = _nextId++;
            var segment = _segments[^1];
            if (segment.Length >= _segmentBytes)
                segment = StartSegment();
            var framed = FramedRecord.Encode(id, (byte)kind, payload);
            RandomAccess.Write(segment.Stream.SafeFileHandle, framed, segment.Length);
            if (kind == QueueKind.Event)
                segment.Stream.Flush(flushToDisk: true);
            var record = new FramedRecord(id, (byte)kind, segment.Length, payload.Length);
            segment.Length += framed.Length;
            Link(new Entry(id, kind, segment, record));
            DeleteDeadSegments();
            CompactIfSparse();
        }
        Appended?.Invoke();
        return id;
    }

    void CountDrop(QueueKind kind)
    {
        if (kind == QueueKind.Telemetry)
            DroppedTelemetry++;
        else
            DroppedEvents++;
    }

    /// <summary>The oldest message not yet acknowledged, read from disk.</summary>
    public bool TryPeek(out QueuedMessage message)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var head = _order.First;
            if (head is null)
            {
                message = null!;
                return false;
            }
            var entry = head.Value;
            message = new QueuedMessage(entry.Id, entry.Kind, entry.Record.ReadPayload(entry.Segment.Stream));
            return true;
        }
    }

    /// <summary>Removes every message up to and including <paramref name="id"/>
    /// after the broker acknowledged it. Ids are sent in order, so this is the head.</summary>
    public void Acknowledge(long id)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            while (_order.First is { } head && head.Value.Id <= id)
            {
                Unlink(head);
                var kindQueue = head.Value.Kind == QueueKind.Telemetry ? _telemetry : _events;
                if (kindQueue.Count > 0 && kindQueue.Peek() == head)
                    kindQueue.Dequeue();
            }
            if (id > _ack.Value)
                _ack.Set(id, sync: _order.Count == 0);
            DeleteDeadSegments();
        }
    }

    /// <summary>Empties the queue (factory reset). Ids keep increasing.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _order.Clear();
            _telemetry.Clear();
            _events.Clear();
            _bytes = 0;
            _ack.Set(_nextId - 1, sync: true);
            foreach (var segment in _segments)
            {
                segment.Stream.Dispose();
                File.Delete(segment.Path);
            }
            var lastNumber = _segments.Count == 0 ? 0 : _segments[^1].Number;
            _segments.Clear();
            StartSegment(lastNumber + 1);
        }
    }

    /// <summary>Changes the bounds (from configuration); drops at once if over.</summary>
    public void SetLimits(OfflineQueueLimits limits)
    {
        limits.Validate();
        lock (_gate)
        {
            _limits = limits;
            _segmentBytes = SegmentBytesFor(limits);
            while (_order.Count > _limits.MaxMessages || _bytes > _limits.MaxBytes)
                DropOldest(preferTelemetry: true);
            DeleteDeadSegments();
        }
    }

    /// <summary>Fsyncs pending telemetry and the ack mark (on clean stop).</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            if (_segments.Count > 0)
                _segments[^1].Stream.Flush(flushToDisk: true);
            _ack.Sync();
        }
    }

    void DeleteDeadSegments()
    {
        // The newest segment stays: it takes the appends.
        for (var i = _segments.Count - 2; i >= 0; i--)
        {
            var segment = _segments[i];
            if (segment.Live > 0)
                continue;
            segment.Stream.Dispose();
            File.Delete(segment.Path);
            _segments.RemoveAt(i);
        }
        if (_segments.Count == 1 && _segments[0].Live == 0 && _segments[0].Length >= _segmentBytes)
        {
            // Everything delivered: start over instead of growing the last file.
            var last = _segments[0];
            StartSegment();
            last.Stream.Dispose();
            File.Delete(last.Path);
            _segments.Remove(last);
        }
    }

    /// <summary>Dropped telemetry can leave old segments mostly dead, kept
    /// alive by a few events; when the files grow past twice the limit the
    /// live records are copied into a fresh segment.</summary>
    void CompactIfSparse()
    {
        long onDisk = 0;
        foreach (var segment in _segments)
            onDisk += segment.Length;
        if (onDisk <= 2 * _limits.MaxBytes + _segmentBytes || _segments.Count < 2)
            return;
        var target = StartSegment();
        var moved = new List<Entry>(_order.Count);
        foreach (var entry in _order)
        {
            var framed = FramedRecord.Encode(entry.Id, (byte)entry.Kind, entry.Record.ReadPayload(entry.Segment.Stream));
            RandomAccess.Write(target.Stream.SafeFileHandle, framed, target.Length);
            moved.Add(entry with { Segment = target, Record = entry.Record with { Offset = target.Length } });
            target.Length += framed.Length;
        }
        target.Stream.Flush(flushToDisk: true);
        _order.Clear();
        _telemetry.Clear();
        _events.Clear();
        _bytes = 0;
        foreach (var segment in _segments)
            segment.Live = 0;
        foreach (var entry in moved)
            Link(entry);
        DeleteDeadSegments();
        _log?.Invoke("info", $"offline queue: compacted {onDisk} bytes of segments into {target.Length}");
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            foreach (var segment in _segments)
            {
                try
                {
                    segment.Stream.Flush(flushToDisk: true);
                }
                catch (IOException)
                {
                }
                segment.Stream.Dispose();
            }
            _ack.Dispose();
        }
    }
}
