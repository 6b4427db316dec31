using Box.Agent.Cloud.Durable;

namespace Box.Agent.Cloud.Queue;

/// <summary>Where one queued message lies on disk. 32 bytes, no object per
/// message: the payload stays in its segment file until it is sent.</summary>
internal struct IndexEntry
{
    public long Id;
    public QueueSegment Segment;
    public long Offset;
    public int PayloadLength;
    public QueueKind Kind;
    /// <summary>Dropped or acknowledged, waiting to be packed away.</summary>
    public bool Removed;

    public readonly int TotalLength => FramedRecord.HeaderSize + PayloadLength;
}

/// <summary>The queued messages in id order, as one array of
/// <see cref="IndexEntry"/> structs. Removal from the head advances a start
/// index; a dropped message in the middle becomes a tombstone that is packed
/// away the next time the array fills, so its size follows the live count.
/// Two cursors find the oldest telemetry and the oldest event without
/// scanning from the start each time. Not thread-safe (the queue locks).</summary>
internal sealed class QueueIndex
{
    const int InitialCapacity = 256;

    IndexEntry[] _entries = new IndexEntry[InitialCapacity];
    int _start;
    int _end;
    int _telemetryCursor;
    int _eventCursor;

    public int Count { get; private set; }
    public int TelemetryCount { get; private set; }
    public int EventCount { get; private set; }
    public int UsageCount { get; private set; }
    /// <summary>Framed bytes of the live messages.</summary>
    public long Bytes { get; private set; }

    /// <summary>Live entries and tombstones, oldest first; check <see cref="IndexEntry.Removed"/>.</summary>
    public Span<IndexEntry> Entries => _entries.AsSpan(_start, _end - _start);

    public void Add(in IndexEntry entry)
    {
        if (_end == _entries.Length)
            Pack();
        _entries[_end++] = entry;
        Count++;
        Bytes += entry.TotalLength;
        CountKind(entry.Kind, +1);
    }

    /// <summary>The oldest live entry.</summary>
    public bool TryPeek(out IndexEntry entry)
    {
        SkipRemovedStart();
        if (_start == _end)
        {
            entry = default;
            return false;
        }
        entry = _entries[_start];
        return true;
    }

    /// <summary>Removes the oldest live entry of <paramref name="kind"/>
    /// (telemetry or events: usage is never dropped, so has no cursor).</summary>
    public bool TryRemoveOldest(QueueKind kind, out IndexEntry removed)
    {
        if (kind is not (QueueKind.Telemetry or QueueKind.Event))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "only telemetry and events are ever dropped");
        ref var cursor = ref kind == QueueKind.Telemetry ? ref _telemetryCursor : ref _eventCursor;
        cursor = Math.Max(cursor, _start);
        for (; cursor < _end; cursor++)
        {
            ref var entry = ref _entries[cursor];
            if (entry.Removed || entry.Kind != kind)
                continue;
            removed = entry;
            Remove(ref entry);
            cursor++;
            return true;
        }
        removed = default;
        return false;
    }

    /// <summary>Removes the oldest live entry if its id is at most <paramref name="id"/>.</summary>
    public bool TryRemoveFirstUpTo(long id, out IndexEntry removed)
    {
        SkipRemovedStart();
        if (_start == _end || _entries[_start].Id > id)
        {
            removed = default;
            return false;
        }
        removed = _entries[_start];
        Remove(ref _entries[_start]);
        SkipRemovedStart();
        return true;
    }

    /// <summary>After recovery: entries come in segment order, which is id
    /// order unless an old compaction left copies behind. Sorts if needed and
    /// removes repeated ids, handing each removed copy to <paramref name="removed"/>.</summary>
    public void SortAndRemoveRepeats(Action<IndexEntry> removed)
    {
        var entries = Entries;
        var sorted = true;
        for (var i = 1; i < entries.Length && sorted; i++)
            sorted = entries[i - 1].Id < entries[i].Id;
        if (sorted)
            return;
        entries.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        for (var i = 1; i < entries.Length; i++)
        {
            if (!entries[i].Removed && entries[i].Id == entries[i - 1].Id)
            {
                removed(entries[i]);
                Remove(ref entries[i]);
            }
        }
    }

    public void Clear()
    {
        if (_entries.Length > InitialCapacity)
            _entries = new IndexEntry[InitialCapacity];
        else
            Array.Clear(_entries);
        _start = _end = _telemetryCursor = _eventCursor = 0;
        Count = TelemetryCount = EventCount = UsageCount = 0;
        Bytes = 0;
    }

    void Remove(ref IndexEntry entry)
    {
        entry.Removed = true;
        entry.Segment = null!; // no reference keeps a deleted segment alive
        Count--;
        Bytes -= entry.TotalLength;
        CountKind(entry.Kind, -1);
    }

    void CountKind(QueueKind kind, int delta)
    {
        switch (kind)
        {
            case QueueKind.Telemetry: TelemetryCount += delta; break;
            case QueueKind.Usage: UsageCount += delta; break;
            default: EventCount += delta; break;
        }
    }

    void SkipRemovedStart()
    {
        while (_start < _end && _entries[_start].Removed)
            _start++;
        if (_start == _end && _end > 0)
        {
            // Empty: start over at the front (and give back a grown array).
            if (_entries.Length > InitialCapacity * 4)
                _entries = new IndexEntry[InitialCapacity];
            _start = _end = _telemetryCursor = _eventCursor = 0;
        }
    }

    /// <summary>Moves the live entries to the front; grows the array only
    /// when they fill more than half of it.</summary>
    void Pack()
    {
        var target = Count * 2 > _entries.Length ? new IndexEntry[_entries.Length * 2] : _entries;
        var kept = 0;
        for (var i = _start; i < _end; i++)
        {
            if (!_entries[i].Removed)
                target[kept++] = _entries[i];
        }
        if (ReferenceEquals(target, _entries))
            Array.Clear(_entries, kept, _end - kept);
        _entries = target;
        _start = 0;
        _end = kept;
        _telemetryCursor = _eventCursor = 0;
    }
}
