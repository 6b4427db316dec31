using System.Text.Json.Nodes;
using Box.Hal;

namespace Box.Agent.Supervision.Concerns;

/// <summary>USB disks as the storage watcher reports them: which are present,
/// mounted or failed, and the <c>disk.added</c>/<c>disk.removed</c> events
/// (each disk announced once per plug).</summary>
public sealed class DiskConcern(ConcernContext context, IStorageWatcher storage, SupervisorInbox inbox) : SupervisorConcern(context)
{
    private readonly Dictionary<string, DiskInfo> _disks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _announced = new(StringComparer.Ordinal);

    /// <summary>On the loop: a disk's filesystem is mounted (the chunk store opens on it).</summary>
    public event Action<DiskInfo>? FilesystemMounted;

    /// <summary>On the loop: a mounted filesystem went away (unmounted or the disk
    /// removed); <see cref="DiskInfo.MountPath"/> is where it was.</summary>
    public event Action<DiskInfo>? FilesystemGone;

    /// <summary>Mounted disks, for telemetry (free space).</summary>
    public IEnumerable<DiskInfo> Mounted => _disks.Values.Where(d => d.MountPath is not null);

    public override void Start()
    {
        storage.Changed += (_, e) => inbox.Post(new SupervisorInput.Disk(e));
        try
        {
            storage.Start();
        }
        catch (HalException e)
        {
            Context.ReportError(e.Message, source: "storage");
        }
    }

    public override ValueTask<bool> HandleAsync(SupervisorInput input)
    {
        if (input is not SupervisorInput.Disk d) return ValueTask.FromResult(false);
        OnDisk(d.Event);
        return ValueTask.FromResult(true);
    }

    private void OnDisk(DiskEvent e)
    {
        var disk = e.Disk;
        var name = disk.Device;
        var log = Context.Log;
        switch (e.Kind)
        {
            case DiskEventKind.Added:
                _disks[name] = disk;
                _errors.Remove(name);
                log.Info($"disk {name}: added ({Describe(disk)})");
                if (disk.MountPath is not null)
                {
                    Announce(disk);
                    FilesystemMounted?.Invoke(disk);
                }
                break;
            case DiskEventKind.Mounted:
                _disks[name] = disk;
                _errors.Remove(name);
                log.Info($"disk {name}: mounted at {disk.MountPath}");
                Announce(disk);
                FilesystemMounted?.Invoke(disk);
                break;
            case DiskEventKind.Unmounted:
                if (_disks.TryGetValue(name, out var unmounted))
                {
                    _disks[name] = disk with { MountPath = null };
                    if (unmounted.MountPath is not null) FilesystemGone?.Invoke(unmounted);
                }
                log.Info($"disk {name}: unmounted");
                break;
            case DiskEventKind.Removed:
                if (_disks.TryGetValue(name, out var removed) && removed.MountPath is not null)
                    FilesystemGone?.Invoke(removed);
                _disks.Remove(name);
                _errors.Remove(name);
                _announced.Remove(name);
                log.Info($"disk {name}: removed");
                Context.PublishEvent("disk.removed", new JsonObject { ["device"] = name, ["fsUuid"] = disk.FsUuid });
                break;
            case DiskEventKind.Error:
                _disks[name] = disk;
                var problem = e.Error ?? "unknown error";
                _errors[name] = problem;
                Context.ReportError($"{name}: {problem}", new JsonObject { ["device"] = name });
                break;
        }
    }

    private void Announce(DiskInfo disk)
    {
        if (!_announced.Add(disk.Device)) return;
        Context.PublishEvent("disk.added", new JsonObject
        {
            ["device"] = disk.Device,
            ["fsUuid"] = disk.FsUuid,
            ["fsType"] = disk.FsType,
            ["label"] = disk.Label,
            ["sizeBytes"] = disk.SizeBytes,
        });
    }

    public override void Contribute(SupervisorView view)
    {
        foreach (var disk in _disks.Values.OrderBy(d => d.Device, StringComparer.Ordinal))
            view.Disks.Add(new DiskSnapshot(disk, _errors.GetValueOrDefault(disk.Device)));
        view.AnyDiskMounted = _disks.Values.Any(d => d.MountPath is not null);
        foreach (var (disk, message) in _errors.OrderBy(e => e.Key, StringComparer.Ordinal))
            view.Errors.Add($"disk {disk}: {message}");
    }

    private static string Describe(DiskInfo d) =>
        $"{d.FsType ?? "unknown filesystem"}, uuid {d.FsUuid ?? "none"}, {d.SizeBytes} bytes" + (d.Label is null ? "" : $", label {d.Label}");
}
