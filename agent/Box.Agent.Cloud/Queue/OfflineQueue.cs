using System.Buffers;
using Box.Agent.Cloud.Durable;
using Box.Platform;

namespace Box.Agent.Cloud.Queue;

/// <summary>Durable FIFO of telemetry and events for the time the broker is
/// unreachable (and for the moment between publish and PUBACK while it is
/// reachable). Append-only segment files of CRC-framed records plus an
/// acknowledged-id mark; a torn tail left by a power cut is cut off on open.
/// In memory only a 32-byte <see cref="IndexEntry"/> per message; payloads
/// are read back from their segment when sent.
/// Bounded by message count and by the bytes of its files: the oldest
/// telemetry is dropped first, events only when no telemetry is left, and
/// the space of dropped and acknowledged records is reclaimed by deleting
/// dead segments or rewriting a mostly dead one.
/// Usage reports are never dropped (they are the owner's reward and the
/// cloud cannot ask for them again): when only usage is left the queue grows
/// past its bounds by usage alone. That stays small in practice: the agent
/// cuts at most one report per telemetry interval (a few per interval only
/// when more than a report's token cap were used), and serving needs tokens
/// the scheduler mints in the cloud, which expire, so a box cut off from the
/// cloud soon has nothing to report: a day offline at one report a minute
/// is 1440 reports of a few KiB. Thread-safe.</summary>
public sealed class OfflineQueue : IDisposable
{
    const int MaxRecordBytes = 16 * 1024 * 1024;

    readonly object _gate = new();
    readonly string _directory;
    readonly Action<string, string>? _log;
    readonly AckMark _ack;
    readonly List<QueueSegment> _segments = [];
    readonly QueueIndex _index = new();
    OfflineQueueLimits _limits;
    long _segmentBytes;
    long _nextId;
    long _diskBytes;
    bool _overByUsage;
    bool _disposed;

    /// <summary>Messages dropped because the queue was full, since open.
    /// Usage is never dropped, so has no counter.</summary>
    public long DroppedTelemetry { get; private set; }
    public long DroppedEvents { get; private set; }

    public int Count { get { lock (_gate) return _index.Count; } }
    /// <summary>Usage reports waiting.</summary>
    public int UsageCount { get { lock (_gate) return _index.UsageCount; } }
    /// <summary>Framed bytes of the messages waiting.</summary>
    public long Bytes { get { lock (_gate) return _index.Bytes; } }
    /// <summary>Bytes of the segment files; at most the byte limit (plus,
    /// for the moment of a compaction, the copy being written), unless usage
    /// reports alone fill it.</summary>
    public long DiskBytes { get { lock (_gate) return _diskBytes; } }

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

    /// <summary>A sixteenth of the limit: dropping or rewriting one segment
    /// frees a small step, and a rewrite's copy overshoots the limit by at
    /// most half a segment (it is written only when half the segment is dead).</summary>
    static long SegmentBytesFor(OfflineQueueLimits limits) => Math.Clamp(limits.MaxBytes / 16, 1024, 1024 * 1024);

    void Recover()
    {
        foreach (var leftover in QueueSegment.LeftoverCompactions(_directory))
            File.Delete(leftover); // the segment it was rewriting is still whole
        var acked = _ack.Value;
        var maxId = acked;
        foreach (var (number, path) in QueueSegment.List(_directory))
        {
            var stream = QueueSegment.OpenStream(path, FileMode.Open);
            var segment = new QueueSegment(number, path, stream);
            _segments.Add(segment);
            var validLength = FramedRecord.Scan(stream, MaxRecordBytes, record =>
            {
                maxId = Math.Max(maxId, record.Id);
                // Ids at or below the mark were delivered.
                if (record.Id <= acked || !Enum.IsDefined((QueueKind)record.Kind))
                    return;
                segment.Live++;
                segment.LiveBytes += record.TotalLength;
                _index.Add(new IndexEntry { Id = record.Id, Segment = segment, Offset = record.Offset, PayloadLength = record.PayloadLength, Kind = (QueueKind)record.Kind });
            });
            if (validLength < stream.Length)
            {
                _log?.Invoke("warn", $"offline queue: {Path.GetFileName(path)} has a torn or corrupted tail at byte {validLength} of {stream.Length}; dropped it, kept the records before it");
                stream.SetLength(validLength);
                stream.Flush(flushToDisk: true);
            }
            segment.Length = validLength;
            _diskBytes += validLength;
        }
        // A repeated id is a copy left by a compaction (of an older version) that did not finish.
        _index.SortAndRemoveRepeats(copy =>
        {
            copy.Segment.Live--;
            copy.Segment.LiveBytes -= copy.TotalLength;
        });
        _nextId = maxId + 1;
        var (droppedTelemetry, droppedEvents) = (DroppedTelemetry, DroppedEvents);
        MakeRoom(incoming: null, 0);
        if (DroppedTelemetry > droppedTelemetry || DroppedEvents > droppedEvents)
            _log?.Invoke("warn", $"offline queue: over its limits on open; dropped {DroppedTelemetry - droppedTelemetry} telemetry and {DroppedEvents - droppedEvents} events");
        DeleteDeadSegments();
        if (_segments.Count == 0 || _segments[^1].Length >= _segmentBytes)
            StartSegment();
        if (_index.Count > 0)
            _log?.Invoke("info", $"offline queue: {_index.Count} messages ({_index.Bytes} bytes) waiting from before");
    }

    QueueSegment StartSegment(long? number = null)
    {
        number ??= _segments.Count == 0 ? 1 : _segments[^1].Number + 1;
        var path = Path.Combine(_directory, QueueSegment.FileName(number.Value));
        var stream = QueueSegment.OpenStream(path, FileMode.Create);
        AtomicFile.SyncDirectory(_directory);
        var segment = new QueueSegment(number.Value, path, stream);
        _segments.Add(segment);
        return segment;
    }

    /// <summary>Appends a message; events and usage are fsynced before this
    /// returns, telemetry only reaches the page cache (the next event or ack
    /// sync carries it). Returns the message's id, or -1 when it was dropped
    /// (larger than the whole queue, or telemetry with only events queued, or
    /// an event with only usage queued). Usage is never dropped: a usage
    /// report over the record limit (16 MiB) throws instead.</summary>
    public long Append(QueueKind kind, ReadOnlySpan<byte> payload)
    {
        if (!Enum.IsDefined(kind))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a queue kind");
        long id;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var size = FramedRecord.HeaderSize + payload.Length;
            if (kind == QueueKind.Usage && payload.Length > MaxRecordBytes)
                throw new ArgumentException($"offline queue: a usage report of {payload.Length} bytes is over the record limit ({MaxRecordBytes} bytes); the ledger caps its reports far below that", nameof(payload));
            if (kind != QueueKind.Usage && (size > _limits.MaxBytes || payload.Length > MaxRecordBytes))
            {
                _log?.Invoke("warn", $"offline queue: a {kind} message of {payload.Length} bytes is larger than the queue ({_limits.MaxBytes} bytes); dropped");
                CountDrop(kind);
                return -1;
            }
            if (!MakeRoom(kind, size))
            {
                // New telemetry never pushes out an event, nor anything usage.
                if (kind == QueueKind.Event)
                    _log?.Invoke("warn", "offline queue: full of usage reports; a new event was dropped");
                CountDrop(kind);
                return -1;
            }
            id = _nextId++;
            var segment = _segments[^1];
            if (segment.Length >= _segmentBytes)
                segment = StartSegment();
            var framed = FramedRecord.Encode(id, (byte)kind, payload);
            RandomAccess.Write(segment.Stream.SafeFileHandle, framed, segment.Length);
            if (kind != QueueKind.Telemetry)
                segment.Stream.Flush(flushToDisk: true);
            _index.Add(new IndexEntry { Id = id, Segment = segment, Offset = segment.Length, PayloadLength = payload.Length, Kind = kind });
            segment.Length += framed.Length;
            segment.Live++;
            segment.LiveBytes += framed.Length;
            _diskBytes += framed.Length;
        }
        Appended?.Invoke();
        return id;
    }

    /// <summary>Drops and reclaims until a record of <paramref name="size"/>
    /// bytes fits under both limits (size 0: until the queue is within them).
    /// False when <paramref name="incoming"/> is telemetry and only events
    /// could make room for it, or an event and only usage could. True for
    /// usage once nothing else is left to drop: the bounds are then exceeded
    /// by usage reports alone.</summary>
    bool MakeRoom(QueueKind? incoming, int size)
    {
        var adding = size > 0 ? 1 : 0;
        while (true)
        {
            var countOver = _index.Count + adding > _limits.MaxMessages;
            var diskOver = _diskBytes + size > _limits.MaxBytes;
            if (!countOver && !diskOver)
            {
                ReclaimIfSparse();
                _overByUsage = false;
                return true;
            }
            if (diskOver && Reclaim(force: false))
                continue;
            if (_index.TryRemoveOldest(QueueKind.Telemetry, out var telemetry))
            {
                Dead(telemetry);
                DroppedTelemetry++;
                continue;
            }
            // Only events left: every dead byte is worth reclaiming first.
            if (diskOver && Reclaim(force: true))
                continue;
            if (incoming == QueueKind.Telemetry)
                return false;
            if (!_index.TryRemoveOldest(QueueKind.Event, out var oldest))
                return UsageOnlyLeft(incoming);
            Dead(oldest);
            DroppedEvents++;
            _log?.Invoke("warn", $"offline queue: full of events; dropped the oldest ({DroppedEvents} events dropped so far)");
        }
    }

    /// <summary>Nothing droppable is left: usage (incoming or, on open and
    /// on new limits, queued) stays over the bounds; an incoming event is
    /// refused rather than pushing out usage.</summary>
    bool UsageOnlyLeft(QueueKind? incoming)
    {
        if (incoming is QueueKind.Event or QueueKind.Telemetry)
            return false;
        if (!_overByUsage && _index.UsageCount > 0)
        {
            // Once per crossing, not once per report.
            _log?.Invoke("warn", $"offline queue: over its limits ({_index.Count} messages, {_diskBytes} bytes; limits {_limits.MaxMessages}, {_limits.MaxBytes}) with usage reports only; they are kept, never dropped");
            _overByUsage = true;
        }
        return true;
    }

    void Dead(in IndexEntry entry)
    {
        entry.Segment.Live--;
        entry.Segment.LiveBytes -= entry.TotalLength;
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
            if (!_index.TryPeek(out var entry))
            {
                message = null!;
                return false;
            }
            var record = new FramedRecord(entry.Id, (byte)entry.Kind, entry.Offset, entry.PayloadLength);
            message = new QueuedMessage(entry.Id, entry.Kind, record.ReadPayload(entry.Segment.Stream));
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
            while (_index.TryRemoveFirstUpTo(id, out var head))
                Dead(head);
            if (id > _ack.Value)
                _ack.Set(id, sync: _index.Count == 0);
            DeleteDeadSegments();
        }
    }

    /// <summary>Empties the queue (factory reset). Ids keep increasing.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _index.Clear();
            _ack.Set(_nextId - 1, sync: true);
            foreach (var segment in _segments)
            {
                segment.Stream.Dispose();
                File.Delete(segment.Path);
            }
            var lastNumber = _segments.Count == 0 ? 0 : _segments[^1].Number;
            _segments.Clear();
            _diskBytes = 0;
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
            MakeRoom(incoming: null, 0);
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
            if (_segments[i].Live == 0)
                Delete(_segments[i]);
        }
        if (_segments.Count == 1 && _segments[0].Live == 0 && _segments[0].Length >= _segmentBytes)
        {
            // Everything delivered: start over instead of growing the last file.
            var last = _segments[0];
            StartSegment();
            Delete(last);
        }
    }

    void Delete(QueueSegment segment)
    {
        segment.Stream.Dispose();
        File.Delete(segment.Path);
        _segments.Remove(segment);
        _diskBytes -= segment.Length;
    }

    /// <summary>Dead records (acknowledged with live ones after them in their
    /// segment, or dropped) take more room than the live ones: reclaim
    /// before the files grow to the limit, so a count-bound queue stays small
    /// on disk too.</summary>
    void ReclaimIfSparse()
    {
        while (_diskBytes - _index.Bytes > Math.Max(_index.Bytes, 2 * _segmentBytes) && Reclaim(force: false))
        {
        }
    }

    /// <summary>Frees the space of dead records: deletes a segment with no
    /// live record, else rewrites the segment with the most dead bytes when
    /// at least half of it is dead (any dead bytes when <paramref name="force"/>).
    /// False when there was nothing to free.</summary>
    bool Reclaim(bool force)
    {
        QueueSegment? best = null;
        foreach (var segment in _segments)
        {
            if (segment.Live == 0 && segment.Length > 0)
            {
                if (segment == _segments[^1])
                    StartSegment();
                Delete(segment);
                return true;
            }
            if (segment.DeadBytes > 0 && (best is null || segment.DeadBytes > best.DeadBytes))
                best = segment;
        }
        if (best is null || (!force && best.DeadBytes * 2 < best.Length))
            return false;
        Compact(best);
        return true;
    }

    /// <summary>Rewrites <paramref name="segment"/> with only its live
    /// records, in order: written beside it, fsynced, renamed over it. A
    /// power cut leaves either file whole; the copy is deleted on open.</summary>
    void Compact(QueueSegment segment)
    {
        var before = segment.Length;
        var temp = segment.CompactionPath;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        FileStream? copy = null;
        try
        {
            copy = QueueSegment.OpenStream(temp, FileMode.Create);
            long written = 0;
            foreach (ref readonly var entry in _index.Entries)
            {
                if (entry.Removed || entry.Segment != segment)
                    continue;
                var length = entry.TotalLength;
                if (buffer.Length < length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                }
                var record = buffer.AsSpan(0, length);
                if (RandomAccess.Read(segment.Stream.SafeFileHandle, record, entry.Offset) != length)
                    throw new IOException($"offline queue: short read of record {entry.Id} in {segment.Path}");
                RandomAccess.Write(copy.SafeFileHandle, record, written);
                written += length;
            }
            copy.Flush(flushToDisk: true);
            File.Move(temp, segment.Path, overwrite: true);
            AtomicFile.SyncDirectory(_directory);
        }
        catch
        {
            copy?.Dispose();
            File.Delete(temp);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        // Renamed: the copy's handle is the segment now. Same order, so the
        // new offsets are the running sum.
        segment.Stream.Dispose();
        segment.Stream = copy;
        long offset = 0;
        foreach (ref var entry in _index.Entries)
        {
            if (entry.Removed || entry.Segment != segment)
                continue;
            entry.Offset = offset;
            offset += entry.TotalLength;
        }
        segment.Length = offset;
        _diskBytes -= before - offset;
        _log?.Invoke("debug", $"offline queue: rewrote {Path.GetFileName(segment.Path)} from {before} to {offset} bytes");
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
