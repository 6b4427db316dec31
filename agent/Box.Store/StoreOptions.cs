namespace Box.Store;

public sealed record StoreOptions
{
    /// <summary>Fixed quota in bytes; when 0, <see cref="QuotaPercent"/> of the filesystem's size (statvfs).</summary>
    public long QuotaBytes { get; init; }
    public int QuotaPercent { get; init; } = 90;
    /// <summary>Eviction starts when used bytes exceed this share of the quota …</summary>
    public int HighWatermarkPercent { get; init; } = 90;
    /// <summary>… and stops once they are at or below this share.</summary>
    public int LowWatermarkPercent { get; init; } = 80;
    /// <summary>Hashing rate of reconcile (verifying files without rows); 0 = unlimited.</summary>
    public long ReconcileBytesPerSecond { get; init; }
    /// <summary>Re-hashing rate of the scrubber; 0 = no scrubbing.</summary>
    public long ScrubBytesPerSecond { get; init; }
    /// <summary>Pause between scrub passes over the whole store.</summary>
    public TimeSpan ScrubPassInterval { get; init; } = TimeSpan.FromHours(24);
    /// <summary>Roughly how many 8 KiB pages LiteDB may read between reopens, which bounds
    /// its page cache (see ChunkIndex): 4,000 is ~32 MB at worst.</summary>
    public int IndexRecyclePages { get; init; } = 4_000;
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>Log lines for the agent's log; called from store threads.</summary>
    public Action<string>? Log { get; init; }
}
