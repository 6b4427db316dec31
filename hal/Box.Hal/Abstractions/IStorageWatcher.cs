namespace Box.Hal;

/// <summary>A block device carrying a filesystem (a USB disk or one of its partitions).</summary>
public sealed record DiskInfo
{
    /// <summary>Kernel name, e.g. "sda1" (sim: the plugged directory's name).</summary>
    public required string Device { get; init; }
    /// <summary>Filesystem UUID from the superblock; null if unknown.</summary>
    public string? FsUuid { get; init; }
    /// <summary>"ext4", "vfat", "exfat", …; null when unrecognised.</summary>
    public string? FsType { get; init; }
    public string? Label { get; init; }
    public long SizeBytes { get; init; }
    /// <summary>Where it is mounted, or null.</summary>
    public string? MountPath { get; init; }
}

public enum DiskEventKind { Added, Removed, Mounted, Unmounted, Error }

/// <summary>A disk change. <see cref="Error"/> is set for <see cref="DiskEventKind.Error"/>
/// (unknown or corrupt filesystem, mount refused) and names the problem.</summary>
public sealed record DiskEvent(DiskEventKind Kind, DiskInfo Disk, string? Error = null);

/// <summary>Watches for USB disks, mounts them (nodev,nosuid,noexec,noatime) under
/// a per-UUID directory and unmounts (lazily) when they are removed.</summary>
public interface IStorageWatcher : IDisposable
{
    /// <summary>Disks currently present.</summary>
    IReadOnlyList<DiskInfo> Disks { get; }

    /// <summary>Raised on the watcher's thread; handlers must not block.</summary>
    event EventHandler<DiskEvent>? Changed;

    /// <summary>Scans what is present (raising Added/Mounted for each) and starts watching.</summary>
    void Start();
}
