namespace Box.Store;

/// <summary>A reservation for one incoming chunk. The downloader writes the
/// bytes to <see cref="TempPath"/> (and checks their hash), then hands the
/// slot to <see cref="ChunkStore.Commit"/> or <see cref="ChunkStore.Abort"/>.</summary>
public sealed class IngestSlot
{
    internal IngestSlot(ChunkHash hash, long size, bool pinned, string tempPath, bool alreadyStored, bool evictionNeeded)
    {
        Hash = hash;
        Size = size;
        Pinned = pinned;
        TempPath = tempPath;
        AlreadyStored = alreadyStored;
        EvictionNeeded = evictionNeeded;
    }

    public ChunkHash Hash { get; }
    public long Size { get; }
    public bool Pinned { get; }
    /// <summary>In box-store/tmp/; not created by the store.</summary>
    public string TempPath { get; }
    /// <summary>The chunk is stored already: nothing to download, Commit is a no-op.</summary>
    public bool AlreadyStored { get; }
    /// <summary>It fits only after unpinned chunks are evicted (call EvictToWatermark or Evict first or after).</summary>
    public bool EvictionNeeded { get; }
    internal bool Finished { get; set; }
}
