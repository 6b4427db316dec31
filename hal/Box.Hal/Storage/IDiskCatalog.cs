namespace Box.Hal.Storage;

/// <summary>What a catalog says about one device.</summary>
/// <param name="Skip">True for devices that carry no filesystem of their own and are
/// not worth an error (a partitioned disk: its partitions come separately; an empty card reader).</param>
public sealed record DiskIdentity(DiskInfo Disk, FilesystemProbe Probe, bool Skip = false);

/// <summary>Which block devices exist and what filesystem each carries. Linux: sysfs
/// plus superblocks under /dev; the simulated board: its plug descriptors.</summary>
public interface IDiskCatalog
{
    /// <summary>Device names present now (for the initial scan), ignored ones left out.</summary>
    IReadOnlyList<string> Scan();

    /// <summary>Whether the watcher should look at this device at all (profile ignore list).</summary>
    bool IsIgnored(string device);

    /// <summary>Identifies <paramref name="device"/>; never throws for bad media.</summary>
    DiskIdentity Identify(string device);
}

/// <summary>Mounts an identified disk and unmounts it again.</summary>
public interface IMounter
{
    /// <summary>Mounts <paramref name="disk"/> and returns the mount path; throws
    /// <see cref="HalException"/> naming the device and the errno text.</summary>
    string Mount(DiskInfo disk);

    /// <summary>Detaches the mount at <paramref name="disk"/>'s MountPath (lazily, the disk may be gone).</summary>
    void Unmount(DiskInfo disk);
}
