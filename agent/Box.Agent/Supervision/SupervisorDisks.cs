using System.Text.Json.Nodes;
using Box.Agent.Indication;
using Box.Hal;

namespace Box.Agent.Supervision;

public sealed partial class Supervisor
{
    private readonly Dictionary<string, DiskInfo> _disks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _diskErrors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _announcedDisks = new(StringComparer.Ordinal);
    /// <summary>Problems still present besides disk errors (an unreadable button), by part.</summary>
    private readonly Dictionary<string, string> _activeErrors = new(StringComparer.Ordinal);
    private StoreFigures _store = new(0, 0, 0);

    private void OnDisk(DiskEvent e)
    {
        var disk = e.Disk;
        var name = disk.Device;
        switch (e.Kind)
        {
            case DiskEventKind.Added:
                _disks[name] = disk;
                _diskErrors.Remove(name);
                _log.Info($"disk {name}: added ({Describe(disk)})");
                if (disk.MountPath is not null) AnnounceDisk(disk);
                break;
            case DiskEventKind.Mounted:
                _disks[name] = disk;
                _diskErrors.Remove(name);
                _log.Info($"disk {name}: mounted at {disk.MountPath}");
                AnnounceDisk(disk);
                break;
            case DiskEventKind.Unmounted:
                if (_disks.ContainsKey(name)) _disks[name] = disk with { MountPath = null };
                _log.Info($"disk {name}: unmounted");
                break;
            case DiskEventKind.Removed:
                _disks.Remove(name);
                _diskErrors.Remove(name);
                _announcedDisks.Remove(name);
                _log.Info($"disk {name}: removed");
                _link?.PublishEvent("disk.removed", new JsonObject { ["device"] = name, ["fsUuid"] = disk.FsUuid });
                break;
            case DiskEventKind.Error:
                _disks[name] = disk;
                var problem = e.Error ?? "unknown error";
                _diskErrors[name] = problem;
                ReportError("disk", $"{name}: {problem}", new JsonObject { ["device"] = name });
                break;
        }
    }

    private void AnnounceDisk(DiskInfo disk)
    {
        if (!_announcedDisks.Add(disk.Device)) return;
        _link?.PublishEvent("disk.added", new JsonObject
        {
            ["device"] = disk.Device,
            ["fsUuid"] = disk.FsUuid,
            ["fsType"] = disk.FsType,
            ["label"] = disk.Label,
            ["sizeBytes"] = disk.SizeBytes,
        });
    }

    private DiskState CurrentDiskState()
    {
        if (_diskErrors.Count > 0) return DiskState.Error;
        if (!_disks.Values.Any(d => d.MountPath is not null)) return DiskState.None;
        return _store.QuotaBytes > 0 && _store.UsedBytes >= _store.QuotaBytes ? DiskState.Full : DiskState.Mounted;
    }

    private static string Describe(DiskInfo d) =>
        $"{d.FsType ?? "unknown filesystem"}, uuid {d.FsUuid ?? "none"}, {d.SizeBytes} bytes" + (d.Label is null ? "" : $", label {d.Label}");
}
