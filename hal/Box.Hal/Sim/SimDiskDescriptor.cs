namespace Box.Hal.Sim;

/// <summary>DIR/run/sim-disks/&lt;device&gt;.json: what <c>sim plug</c> says about a
/// plugged directory (the simulated disk's "superblock").</summary>
public sealed class SimDiskDescriptor
{
    public string Device { get; set; } = "";
    /// <summary>The directory acting as the mounted filesystem.</summary>
    public string Path { get; set; } = "";
    /// <summary>Stable UUID derived from the full path, so a re-plug is the same disk.</summary>
    public string FsUuid { get; set; } = "";
    public string FsType { get; set; } = SimBoard.FsType;
    public string? Label { get; set; }
    /// <summary>Size of the filesystem holding the directory (statvfs).</summary>
    public long SizeBytes { get; set; }
}
