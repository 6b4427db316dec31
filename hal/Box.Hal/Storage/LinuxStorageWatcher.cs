namespace Box.Hal.Storage;

/// <summary>Watches block uevents, identifies each new device's filesystem, mounts it
/// and reports Added → Mounted (or Added → Error for an unknown/corrupt filesystem or a
/// refused mount); on removal Unmounted → Removed. A device that vanishes or cannot be
/// read while it is looked at is an Error event for that device, never the end of the
/// watcher. The same code runs the simulated
/// board: only the three seams differ (uevent source, disk catalog, mounter).
/// All events are raised on the watcher's own thread, in order.</summary>
public sealed class LinuxStorageWatcher : IStorageWatcher
{
    private readonly IUeventSource _source;
    private readonly IDiskCatalog _catalog;
    private readonly IMounter _mounter;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private DiskInfo[] _disks = [];
    private Thread? _thread;

    /// <summary>Takes ownership of <paramref name="source"/>; create it before scanning
    /// starts (it is, by construction), so nothing plugged in between is missed.</summary>
    public LinuxStorageWatcher(IUeventSource source, IDiskCatalog catalog, IMounter mounter)
    {
        _source = source;
        _catalog = catalog;
        _mounter = mounter;
    }

    /// <summary>The real board: netlink uevents, /sys/block + superblocks, mount(2) under <paramref name="mountRoot"/>.</summary>
    public static LinuxStorageWatcher ForLinux(string root, string mountRoot, IReadOnlyList<string> ignorePatterns) =>
        new(new UeventSocket(), new LinuxDiskCatalog(root, ignorePatterns), new LinuxMounter(root, mountRoot));

    public IReadOnlyList<DiskInfo> Disks => Volatile.Read(ref _disks);

    public event EventHandler<DiskEvent>? Changed;

    public void Start()
    {
        if (_thread is not null)
            return;
        _thread = new Thread(Run) { IsBackground = true, Name = "storage watcher" };
        _thread.Start();
    }

    private void Run()
    {
        try
        {
            IReadOnlyList<string> present = [];
            try
            {
                present = _catalog.Scan();
            }
            catch (Exception e) when (IsDeviceError(e))
            {
                // A disk yanked (or unreadable) during the /sys/block walk: uevents still come.
                Raise(new DiskEvent(DiskEventKind.Error, new DiskInfo { Device = "scan" }, $"initial disk scan failed: {e.Message}"));
            }
            foreach (var device in present)
                Add(device);
            while (_source.Receive(_stop.Token) is { } ev)
                Handle(ev);
        }
        catch (Exception e) when (e is IOException or HalException or UnauthorizedAccessException)
        {
            if (!_stop.IsCancellationRequested)
                Raise(new DiskEvent(DiskEventKind.Error, new DiskInfo { Device = "uevents" }, $"storage watcher stopped: {e.Message}"));
        }
    }

    /// <summary>Applies one uevent (public so tests and tools can drive the watcher directly).</summary>
    public void Handle(Uevent ev)
    {
        if (ev.Subsystem != "block")
            return;
        string device = ev.DevName ?? ev.DevPath[(ev.DevPath.LastIndexOf('/') + 1)..];
        if (device.Length == 0 || device.Contains("..", StringComparison.Ordinal) || _catalog.IsIgnored(device))
            return;
        switch (ev.Action)
        {
            case "add":
                Add(device);
                break;
            case "change" when Find(device) is null:
                Add(device); // a card reader got a medium
                break;
            case "remove":
                Remove(device);
                break;
        }
    }

    private void Add(string device)
    {
        if (Find(device) is not null)
            return;
        DiskIdentity id;
        try
        {
            id = _catalog.Identify(device);
        }
        catch (Exception e) when (IsDeviceError(e))
        {
            // Unplugged while its attributes were read (sysfs directory gone) or unreadable:
            // this one device is reported, the watcher goes on with the next uevent.
            Raise(new DiskEvent(DiskEventKind.Error, new DiskInfo { Device = device }, $"{device}: cannot identify: {e.Message}"));
            return;
        }
        if (id.Skip)
            return;
        var disk = id.Disk;
        Store(disk);
        Raise(new DiskEvent(DiskEventKind.Added, disk));
        if (id.Probe.Status != ProbeStatus.Recognized)
        {
            Raise(new DiskEvent(DiskEventKind.Error, disk, $"{device}: {id.Probe.Problem}"));
            return;
        }
        if (disk.FsUuid is null)
        {
            Raise(new DiskEvent(DiskEventKind.Error, disk, $"{device}: {disk.FsType} filesystem has no UUID"));
            return;
        }
        if (Disks.FirstOrDefault(d => d.FsUuid == disk.FsUuid && d.Device != device && d.MountPath is not null) is { } twin)
        {
            Raise(new DiskEvent(DiskEventKind.Error, disk, $"{device}: filesystem UUID {disk.FsUuid} is already mounted from {twin.Device}"));
            return;
        }
        try
        {
            disk = disk with { MountPath = _mounter.Mount(disk) };
        }
        catch (Exception e) when (IsDeviceError(e))
        {
            Raise(new DiskEvent(DiskEventKind.Error, disk, e.Message));
            return;
        }
        Store(disk);
        Raise(new DiskEvent(DiskEventKind.Mounted, disk));
    }

    private void Remove(string device)
    {
        if (Find(device) is not { } disk)
            return;
        if (disk.MountPath is not null)
        {
            try
            {
                _mounter.Unmount(disk);
                Raise(new DiskEvent(DiskEventKind.Unmounted, disk));
            }
            catch (Exception e) when (IsDeviceError(e))
            {
                Raise(new DiskEvent(DiskEventKind.Error, disk, e.Message));
            }
        }
        lock (_gate)
            Volatile.Write(ref _disks, _disks.Where(d => d.Device != device).ToArray());
        Raise(new DiskEvent(DiskEventKind.Removed, disk with { MountPath = null }));
    }

    /// <summary>Errors one device can cause; anything else is a bug and is not hidden.</summary>
    private static bool IsDeviceError(Exception e) => e is IOException or UnauthorizedAccessException or HalException;

    private DiskInfo? Find(string device) => Disks.FirstOrDefault(d => d.Device == device);

    private void Store(DiskInfo disk)
    {
        lock (_gate)
            Volatile.Write(ref _disks, [.. _disks.Where(d => d.Device != disk.Device), disk]);
    }

    private void Raise(DiskEvent e) => Changed?.Invoke(this, e);

    /// <summary>Stops watching. Mounts are left in place: the disk stays usable for a restarted agent.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(2));
        _source.Dispose();
        _stop.Dispose();
    }
}
