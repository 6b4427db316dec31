namespace Box.Hal.Storage;

/// <summary>Block devices from <c>{root}/sys/block</c>, identified by reading the
/// superblock from <c>{root}/dev/&lt;name&gt;</c>.</summary>
public sealed class LinuxDiskCatalog : IDiskCatalog
{
    private readonly string _root;
    private readonly BlockDevices _blocks;

    public LinuxDiskCatalog(string root, IReadOnlyList<string> ignorePatterns)
    {
        _root = root;
        _blocks = new BlockDevices(root, ignorePatterns);
    }

    public bool IsIgnored(string device) => _blocks.IsIgnored(device);

    public IReadOnlyList<string> Scan()
    {
        var names = new List<string>();
        foreach (var disk in _blocks.ScanDisks())
        {
            if (disk.Partitions.Count > 0)
                names.AddRange(disk.Partitions);
            else if (disk.SizeBytes > 0)
                names.Add(disk.Name);
        }
        return names;
    }

    public DiskIdentity Identify(string device)
    {
        var block = _blocks.Find(device);
        var probe = SuperblockReader.Probe(Path.Combine(_root, "dev", device));
        var disk = new DiskInfo
        {
            Device = device,
            FsType = probe.Status == ProbeStatus.Recognized ? probe.FsType : null,
            FsUuid = probe.Uuid,
            Label = probe.Label,
            SizeBytes = block?.SizeBytes ?? 0,
        };
        // A whole disk with partitions (or no medium) is not a filesystem and not an error.
        bool skip = probe.Status != ProbeStatus.Recognized
                    && block is { Parent: null } && (block.Partitions.Count > 0 || block.SizeBytes == 0);
        return new DiskIdentity(disk, probe, skip);
    }
}
