namespace Box.Store;

/// <summary>Running totals kept beside the rows, updated in the same
/// transaction as each insert or delete, so they never need a walk.</summary>
public readonly record struct IndexCounters(long Chunks, long UsedBytes, long PinnedBytes)
{
    public IndexCounters Add(ChunkRow row) =>
        new(Chunks + 1, UsedBytes + row.Size, PinnedBytes + (row.Pinned ? row.Size : 0));

    public IndexCounters Remove(ChunkRow row) =>
        new(Chunks - 1, UsedBytes - row.Size, PinnedBytes - (row.Pinned ? row.Size : 0));
}
