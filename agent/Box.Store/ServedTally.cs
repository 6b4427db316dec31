using System.Collections.Concurrent;

namespace Box.Store;

/// <summary>Serving figures for one chunk since the last flush.</summary>
public readonly record struct ServedTally(long Count, long Bytes, DateTimeOffset LastServed)
{
    public ServedTally Plus(long bytes, DateTimeOffset at) =>
        new(Count + 1, Bytes + bytes, at > LastServed ? at : LastServed);
}

/// <summary>Collects <see cref="ChunkStore.NoteServed"/> calls from HTTP threads
/// without touching the index; <see cref="Drain"/> hands them over for one
/// transaction. Lock-free per chunk (ConcurrentDictionary.AddOrUpdate).</summary>
internal sealed class ServedLedger
{
    private ConcurrentDictionary<ChunkHash, ServedTally> _pending = new();

    public void Note(ChunkHash hash, long bytes, DateTimeOffset at) =>
        _pending.AddOrUpdate(hash, static (_, a) => new ServedTally(1, a.bytes, a.at),
            static (_, t, a) => t.Plus(a.bytes, a.at), (bytes, at));

    /// <summary>Takes everything noted so far; notes arriving meanwhile go to the next drain.</summary>
    public List<KeyValuePair<ChunkHash, ServedTally>> Drain() =>
        [.. Interlocked.Exchange(ref _pending, new ConcurrentDictionary<ChunkHash, ServedTally>())];

    /// <summary>Puts figures back after a failed flush so they are not lost.</summary>
    public void Return(IEnumerable<KeyValuePair<ChunkHash, ServedTally>> tallies)
    {
        foreach (var (hash, t) in tallies)
            _pending.AddOrUpdate(hash, t, (_, mine) => new ServedTally(mine.Count + t.Count, mine.Bytes + t.Bytes,
                mine.LastServed > t.LastServed ? mine.LastServed : t.LastServed));
    }
}
