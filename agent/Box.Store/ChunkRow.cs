namespace Box.Store;

/// <summary>One chunk's index row: what eviction weighs and stats report.</summary>
public readonly record struct ChunkRow(
    ChunkHash Hash,
    long Size,
    DateTimeOffset StoredAt,
    DateTimeOffset? LastServed,
    long ServeCount,
    long BytesServed,
    bool Pinned);
