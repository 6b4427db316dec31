using System.Text.Json;
using Box.Hal.Profiles;
using Box.Hal.Storage;

namespace Box.Hal.Sim;

/// <summary>The simulated board's disk catalog: the plug descriptors under
/// DIR/run/sim-disks. A descriptor is the simulated superblock.</summary>
public sealed class SimDiskCatalog : IDiskCatalog
{
    private readonly string _simDir;

    public SimDiskCatalog(string simDir) => _simDir = simDir;

    public bool IsIgnored(string device) => false;

    public IReadOnlyList<string> Scan() =>
        SimBoard.ReadDescriptors(_simDir).Select(d => d.Device).ToArray();

    public DiskIdentity Identify(string device)
    {
        var d = SimBoard.ReadDescriptor(_simDir, device);
        if (d is null)
            return new DiskIdentity(new DiskInfo { Device = device }, FilesystemProbe.Unknown(), Skip: true); // unplugged meanwhile
        var disk = new DiskInfo { Device = device, FsType = d.FsType, FsUuid = d.FsUuid, Label = d.Label, SizeBytes = d.SizeBytes };
        var probe = Directory.Exists(d.Path)
            ? new FilesystemProbe(ProbeStatus.Recognized, d.FsType, d.FsUuid, d.Label)
            : new FilesystemProbe(ProbeStatus.Unknown, Problem: $"directory {d.Path} does not exist");
        return new DiskIdentity(disk, probe);
    }
}

/// <summary>"Mounts" a simulated disk: the plugged directory already is the filesystem.</summary>
public sealed class SimMounter : IMounter
{
    private readonly string _simDir;

    public SimMounter(string simDir) => _simDir = simDir;

    public string Mount(DiskInfo disk)
    {
        var d = SimBoard.ReadDescriptor(_simDir, disk.Device)
                ?? throw new HalException($"{disk.Device}: mount failed: no longer plugged");
        if (!Directory.Exists(d.Path))
            throw new HalException($"{disk.Device}: mount {d.Path} failed: No such file or directory");
        return d.Path;
    }

    public void Unmount(DiskInfo disk) { }
}

internal static class SimJson
{
    public static SimDiskDescriptor? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), HalJsonContext.Default.SimDiskDescriptor);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    public static string Write(SimDiskDescriptor d) => JsonSerializer.Serialize(d, HalJsonContext.Default.SimDiskDescriptor);
}
