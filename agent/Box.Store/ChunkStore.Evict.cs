namespace Box.Store;

public sealed partial class ChunkStore
{
    private const int EvictionScanPage = 5_000;

    /// <summary>Removes the named chunks, pinned ones included: a command that
    /// names a chunk is the cloud's explicit decision, pinning only protects
    /// against <see cref="EvictToWatermark"/>. Unknown hashes are skipped.</summary>
    public EvictionResult Evict(IEnumerable<ChunkHash> hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        RequireOpen();
        var evicted = new List<ChunkHash>();
        long bytes = 0;
        foreach (var hash in hashes)
        {
            if (RemoveChunk(hash) is { } row)
            {
                evicted.Add(hash);
                bytes += row.Size;
            }
        }
        return new EvictionResult(evicted.Count, bytes, evicted);
    }

    /// <summary>When used bytes exceed the high watermark of the quota, removes
    /// unpinned chunks of least value (<see cref="EvictionPolicy"/>) until used
    /// bytes are at or below the low watermark. One pass over the index; memory
    /// holds only the candidates being evicted, not all rows.</summary>
    public EvictionResult EvictToWatermark()
    {
        RequireOpen();
        long quota = QuotaBytes;
        long used = _index.Counters.UsedBytes;
        if (used <= quota / 100 * _options.HighWatermarkPercent)
            return EvictionResult.None;
        long need = used - quota / 100 * Math.Min(_options.LowWatermarkPercent, _options.HighWatermarkPercent);
        var now = _options.Time.GetUtcNow();

        // Max-heap on value: the top is the most valuable candidate, dropped
        // whenever the rest alone free enough.
        var keep = new PriorityQueue<ChunkRow, ChunkRow>(Comparer<ChunkRow>.Create((a, b) => EvictionPolicy.Compare(b, a, now)));
        long sum = 0;
        ChunkHash? after = null;
        while (true)
        {
            var rows = WithIndex(index => index.ScanAfter(after, EvictionScanPage));
            foreach (var row in rows)
            {
                if (row.Pinned)
                    continue;
                keep.Enqueue(row, row);
                sum += row.Size;
                while (keep.Count > 0 && sum - keep.Peek().Size >= need)
                    sum -= keep.Dequeue().Size;
            }
            if (rows.Count < EvictionScanPage)
                break;
            after = rows[^1].Hash;
        }
        var victims = new List<ChunkRow>(keep.Count);
        while (keep.TryDequeue(out var row, out _))
            victims.Add(row);
        victims.Reverse(); // least value first
        return Evict(victims.Select(v => v.Hash));
    }

    /// <summary>Row first (so it is not served any more), then the file. A crash
    /// between the two leaves a file without a row, which reconcile verifies
    /// and adopts again: harmless.</summary>
    private ChunkRow? RemoveChunk(ChunkHash hash)
    {
        ChunkRow? row;
        lock (_gate)
        {
            _presence.Remove(hash);
            row = WithIndex(index => index.Delete(hash));
        }
        if (row is null)
            return null;
        try
        {
            File.Delete(_layout.ChunkPath(hash));
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            _options.Log?.Invoke($"{_layout.ChunkPath(hash)}: row removed, file not: {e.Message}");
        }
        return row;
    }
}
