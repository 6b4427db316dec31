namespace Box.Store;

public enum ReconcileState
{
    /// <summary>The index matches the files (clean start, or reconcile finished).</summary>
    Done,
    /// <summary>After an unclean stop: rows already indexed are served, files are being checked.</summary>
    Running,
    /// <summary>The index was unusable and is being rebuilt from the files; only verified chunks are served.</summary>
    Rebuilding,
    /// <summary>Reconcile stopped on an error (the disk went away); it resumes at the next open.</summary>
    Failed,
}

/// <summary>What one reconcile did.</summary>
public sealed record ReconcileReport(long TempRemoved, long Adopted, long Rejected, long Dropped, long DurationMs);

public sealed record StoreFigures(
    long UsedBytes,
    long QuotaBytes,
    long Chunks,
    long PinnedBytes,
    ReconcileState Reconcile,
    ReconcileReport? LastReconcile,
    bool Available);

public sealed record EvictionResult(int Count, long Bytes, IReadOnlyList<ChunkHash> Hashes)
{
    public static readonly EvictionResult None = new(0, 0, []);
}

/// <summary>One page of <see cref="ChunkStore.List"/>; <see cref="Next"/> is
/// the cursor for the following page, null on the last.</summary>
public sealed record ChunkPage(IReadOnlyList<ChunkHash> Hashes, ChunkHash? Next);

public sealed record CorruptChunk(ChunkHash Hash, string Problem);
