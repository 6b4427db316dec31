using Box.Hal.Storage;
using Box.Hal.Tests.Support;
using Moq;

namespace Box.Hal.Tests.Storage;

/// <summary>The watcher over a hand-made /sys + /dev tree whose device nodes are real
/// filesystem images; uevents come through the file source, mounting is recorded.</summary>
public class LinuxStorageWatcherTests : IDisposable
{
    private readonly TempDir _root = new();
    private readonly RecordingMounter _mounter = new();
    private readonly Recorder<DiskEvent> _events = new();

    public void Dispose() => _root.Dispose();

    private sealed class RecordingMounter : IMounter
    {
        public List<string> Calls { get; } = [];
        public string? Refuse { get; set; }

        public string Mount(DiskInfo disk)
        {
            lock (Calls) Calls.Add($"mount {disk.Device}");
            if (Refuse is { } why)
                throw new HalException($"{disk.Device}: mount {disk.FsType} failed: {why}");
            return $"/media/box/{disk.FsUuid}";
        }

        public void Unmount(DiskInfo disk)
        {
            lock (Calls) Calls.Add($"umount {disk.MountPath}");
        }
    }

    /// <summary>sda with partition sda1 holding <paramref name="image"/>.</summary>
    private void AddPartitionedDisk(string disk, string part, string image)
    {
        _root.Write($"sys/block/{disk}/size", "31250000\n");
        _root.Write($"sys/block/{disk}/removable", "1\n");
        _root.Write($"sys/block/{disk}/{part}/partition", "1\n");
        _root.Write($"sys/block/{disk}/{part}/size", (new FileInfo(image).Length / 512) + "\n");
        Directory.CreateDirectory(_root["dev"]);
        File.Copy(image, _root[$"dev/{part}"], overwrite: true);
        Tools.Blank(_root[$"dev/{disk}"], 1 << 20);
    }

    private string Ext4Image(string uuid)
    {
        string img = Tools.Blank(_root[$"img-{uuid}"], 8 << 20);
        Tools.Run("mkfs.ext4", "-F", "-q", "-U", uuid, "-L", "data", img);
        return img;
    }

    private LinuxStorageWatcher Start(string ueventFile, IDiskCatalog? catalog = null)
    {
        var watcher = new LinuxStorageWatcher(new UeventFileTail(ueventFile), catalog ?? RealCatalog(), _mounter);
        watcher.Changed += (_, e) => _events.Add(e);
        watcher.Start();
        return watcher;
    }

    private LinuxDiskCatalog RealCatalog() => new(_root.Path, ["mmcblk*", "loop*"]);

    /// <summary>The real catalog over the tree, with Moq standing in where the test makes it fail.</summary>
    private Mock<IDiskCatalog> CatalogOverTree()
    {
        var real = RealCatalog();
        var catalog = new Mock<IDiskCatalog>();
        catalog.Setup(c => c.Scan()).Returns(real.Scan);
        catalog.Setup(c => c.IsIgnored(It.IsAny<string>())).Returns<string>(real.IsIgnored);
        catalog.Setup(c => c.Identify(It.IsAny<string>())).Returns<string>(real.Identify);
        return catalog;
    }

    private static Uevent Block(string action, string name, string devType) =>
        new(action, $"/devices/platform/soc/c9040000.usb/usb1/1-1/1-1:1.0/host0/target0:0:0/0:0:0:0/block/{name}",
            new Dictionary<string, string> { ["ACTION"] = action, ["SUBSYSTEM"] = "block", ["DEVNAME"] = name, ["DEVTYPE"] = devType });

    [Fact]
    public void Initial_scan_mounts_partitions_and_skips_ignored_and_partitioned_disks()
    {
        AddPartitionedDisk("sda", "sda1", Ext4Image("11111111-2222-4333-8444-555555555555"));
        _root.Write("sys/block/mmcblk0/size", "15000000\n");
        _root.Write("sys/block/loop0/size", "0\n");

        using var watcher = Start(_root["uevents"]);
        var mounted = _events.WaitFor(e => e.Kind == DiskEventKind.Mounted, "Mounted");

        Assert.Equal("sda1", mounted.Disk.Device);
        Assert.Equal("ext4", mounted.Disk.FsType);
        Assert.Equal("11111111-2222-4333-8444-555555555555", mounted.Disk.FsUuid);
        Assert.Equal("data", mounted.Disk.Label);
        Assert.Equal(8L << 20, mounted.Disk.SizeBytes);
        Assert.Equal("/media/box/11111111-2222-4333-8444-555555555555", mounted.Disk.MountPath);
        Assert.Equal([DiskEventKind.Added, DiskEventKind.Mounted], _events.Items.Select(e => e.Kind));
        Assert.Equal(["mount sda1"], _mounter.Calls);
        Assert.Single(watcher.Disks);
    }

    [Fact]
    public void Hotplug_and_yank_via_uevents()
    {
        string uevents = _root["uevents"];
        using var watcher = Start(uevents);
        Eventually.True(() => File.Exists(uevents), "uevent file");

        AddPartitionedDisk("sdb", "sdb1", Ext4Image("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"));
        UeventFileTail.Append(uevents, Block("add", "sdb", "disk"));        // partitioned disk: silently skipped
        UeventFileTail.Append(uevents, Block("add", "sdb1", "partition"));
        _events.WaitFor(e => e.Kind == DiskEventKind.Mounted, "Mounted");

        UeventFileTail.Append(uevents, Block("remove", "sdb1", "partition"));
        UeventFileTail.Append(uevents, Block("remove", "sdb", "disk"));
        var removed = _events.WaitFor(e => e.Kind == DiskEventKind.Removed, "Removed");

        Assert.Equal("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", removed.Disk.FsUuid);
        Assert.Equal([DiskEventKind.Added, DiskEventKind.Mounted, DiskEventKind.Unmounted, DiskEventKind.Removed], _events.Items.Select(e => e.Kind));
        Assert.Equal(["mount sdb1", "umount /media/box/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"], _mounter.Calls);
        Assert.Empty(watcher.Disks);
    }

    [Fact]
    public void Unknown_filesystem_is_an_error_event_and_the_watcher_keeps_going()
    {
        string garbage = _root["garbage.img"];
        File.WriteAllBytes(garbage, Enumerable.Range(0, 8192).Select(i => (byte)(i * 7)).ToArray());
        AddPartitionedDisk("sdc", "sdc1", garbage);
        using var watcher = Start(_root["uevents"]);

        var error = _events.WaitFor(e => e.Kind == DiskEventKind.Error, "Error");
        Assert.Equal("sdc1: unknown filesystem", error.Error);
        Assert.Empty(_mounter.Calls);

        AddPartitionedDisk("sdd", "sdd1", Ext4Image("12345678-1234-4234-8234-123456789abc"));
        UeventFileTail.Append(_root["uevents"], Block("add", "sdd1", "partition"));
        _events.WaitFor(e => e.Kind == DiskEventKind.Mounted && e.Disk.Device == "sdd1", "sdd1 mounted");
    }

    [Fact]
    public void Refused_mount_is_an_error_naming_device_and_reason()
    {
        AddPartitionedDisk("sda", "sda1", Ext4Image("99999999-2222-4333-8444-555555555555"));
        _mounter.Refuse = "Permission denied (errno 13)";
        using var watcher = Start(_root["uevents"]);
        var error = _events.WaitFor(e => e.Kind == DiskEventKind.Error, "Error");
        Assert.Contains("sda1", error.Error);
        Assert.Contains("Permission denied", error.Error);
    }

    [Fact]
    public void Disk_unplugged_while_its_attributes_are_read_is_an_error_and_later_disks_still_mount()
    {
        string uevents = _root["uevents"];
        AddPartitionedDisk("sdx", "sdx1", Ext4Image("0badd15c-0000-4000-8000-000000000001"));
        var catalog = CatalogOverTree();
        catalog.Setup(c => c.Identify("sdx1")).Callback(() => Directory.Delete(_root["sys/block/sdx"], recursive: true))
            .Throws(() => new DirectoryNotFoundException("Could not find a part of the path '/sys/block/sdx/sdx1/size'."));
        using var watcher = Start(uevents, catalog.Object);

        var error = _events.WaitFor(e => e.Kind == DiskEventKind.Error, "Error for sdx1");
        Assert.Equal("sdx1", error.Disk.Device);
        Assert.StartsWith("sdx1: cannot identify: Could not find", error.Error);

        Eventually.True(() => File.Exists(uevents), "uevent file");
        AddPartitionedDisk("sdy", "sdy1", Ext4Image("0badd15c-0000-4000-8000-000000000002"));
        UeventFileTail.Append(uevents, Block("add", "sdy1", "partition"));
        var mounted = _events.WaitFor(e => e.Kind == DiskEventKind.Mounted, "sdy1 mounted after the failure");
        Assert.Equal("sdy1", mounted.Disk.Device);
        Assert.DoesNotContain(_events.Items, e => e.Error?.Contains("stopped", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Unreadable_sys_block_at_start_is_reported_and_uevents_still_arrive()
    {
        string uevents = _root["uevents"];
        var catalog = CatalogOverTree();
        catalog.Setup(c => c.Scan()).Throws(() => new UnauthorizedAccessException("Access to the path '/sys/block/sda' is denied."));
        using var watcher = Start(uevents, catalog.Object);

        var error = _events.WaitFor(e => e.Kind == DiskEventKind.Error, "scan Error");
        Assert.Contains("initial disk scan failed", error.Error);
        Assert.Contains("/sys/block/sda", error.Error);

        Eventually.True(() => File.Exists(uevents), "uevent file");
        AddPartitionedDisk("sdb", "sdb1", Ext4Image("0badd15c-0000-4000-8000-000000000003"));
        UeventFileTail.Append(uevents, Block("add", "sdb1", "partition"));
        _events.WaitFor(e => e.Kind == DiskEventKind.Mounted && e.Disk.Device == "sdb1", "sdb1 mounted");
    }

    [Fact]
    public void Io_error_while_mounting_is_an_error_event_not_the_end_of_the_watcher()
    {
        string uevents = _root["uevents"];
        var mounter = new Mock<IMounter>();
        mounter.Setup(m => m.Mount(It.Is<DiskInfo>(d => d.Device == "sdc1"))).Throws(() => new IOException("Input/output error"));
        mounter.Setup(m => m.Mount(It.Is<DiskInfo>(d => d.Device != "sdc1"))).Returns<DiskInfo>(d => $"/media/box/{d.FsUuid}");
        AddPartitionedDisk("sdc", "sdc1", Ext4Image("0badd15c-0000-4000-8000-000000000004"));
        using var watcher = new LinuxStorageWatcher(new UeventFileTail(uevents), RealCatalog(), mounter.Object);
        watcher.Changed += (_, e) => _events.Add(e);
        watcher.Start();

        var error = _events.WaitFor(e => e.Kind == DiskEventKind.Error, "mount Error");
        Assert.Equal("Input/output error", error.Error);
        Eventually.True(() => File.Exists(uevents), "uevent file");
        AddPartitionedDisk("sdd", "sdd1", Ext4Image("0badd15c-0000-4000-8000-000000000005"));
        UeventFileTail.Append(uevents, Block("add", "sdd1", "partition"));
        _events.WaitFor(e => e.Kind == DiskEventKind.Mounted && e.Disk.Device == "sdd1", "sdd1 mounted");
    }

    [Fact]
    public void Non_block_and_ignored_uevents_do_nothing()
    {
        using var watcher = Start(_root["uevents"]);
        watcher.Handle(new Uevent("add", "/devices/x/usb1/1-1", new Dictionary<string, string> { ["SUBSYSTEM"] = "usb" }));
        watcher.Handle(Block("add", "mmcblk0p1", "partition"));
        watcher.Handle(Block("add", "../../etc", "partition"));
        Assert.Empty(_events.Items);
        Assert.Empty(_mounter.Calls);
    }
}
