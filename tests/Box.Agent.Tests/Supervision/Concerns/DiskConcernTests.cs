using Box.Agent.Indication;
using Box.Agent.Supervision;
using Box.Agent.Supervision.Concerns;
using Box.Hal;
using Moq;

namespace Box.Agent.Tests.Supervision.Concerns;

public class DiskConcernTests
{
    private static readonly DiskInfo Sda = new() { Device = "sda", FsUuid = "u-1", FsType = "ext4", SizeBytes = 1 << 30 };

    private static (ConcernHarness, DiskConcern) Start()
    {
        var h = new ConcernHarness();
        var disks = new DiskConcern(h.Context("disk"), Mock.Of<IStorageWatcher>(), h.Inbox);
        disks.Start();
        return (h, disks);
    }

    private static void Post(DiskConcern disks, DiskEventKind kind, DiskInfo disk, string? error = null) =>
        Assert.True(disks.HandleAsync(new SupervisorInput.Disk(new DiskEvent(kind, disk, error))).Result);

    [Fact]
    public void A_disk_is_announced_once_when_mounted_and_its_removal_reported()
    {
        var (h, disks) = Start();
        using var _ = h;
        Post(disks, DiskEventKind.Added, Sda);
        Assert.Empty(h.Link.EventsOf("disk.added")); // not mounted yet
        Assert.Equal(DiskState.None, ConcernHarness.View(disks).DiskState);

        Post(disks, DiskEventKind.Mounted, Sda with { MountPath = "/media/u-1" });
        Post(disks, DiskEventKind.Mounted, Sda with { MountPath = "/media/u-1" });
        Assert.Single(h.Link.EventsOf("disk.added"));
        Assert.Equal(DiskState.Mounted, ConcernHarness.View(disks).DiskState);
        Assert.Single(disks.Mounted);

        Post(disks, DiskEventKind.Removed, Sda);
        Assert.Equal("u-1", (string?)h.Link.EventsOf("disk.removed").Single().Fields["fsUuid"]);
        Assert.Empty(ConcernHarness.View(disks).Disks);
    }

    [Fact]
    public void A_disk_error_is_reported_shown_and_cleared_by_a_later_mount()
    {
        var (h, disks) = Start();
        using var _ = h;
        Post(disks, DiskEventKind.Error, Sda, "mount failed: wrong fs type");
        var view = ConcernHarness.View(disks);
        Assert.Equal(DiskState.Error, view.DiskState);
        Assert.Equal(["disk sda: mount failed: wrong fs type"], view.Errors);
        Assert.Equal("sda", (string?)h.Link.EventsOf("error").Single().Fields["device"]);

        Post(disks, DiskEventKind.Mounted, Sda with { MountPath = "/media/u-1" });
        Assert.Empty(ConcernHarness.View(disks).Errors);
    }

    [Fact]
    public void A_full_store_turns_the_disk_state_to_full()
    {
        var (h, disks) = Start();
        using var _ = h;
        Post(disks, DiskEventKind.Mounted, Sda with { MountPath = "/media/u-1" });
        var view = ConcernHarness.View(disks);
        view.Store = new StoreFigures(100, 100, 1);
        Assert.Equal(DiskState.Full, view.DiskState);
    }

    [Fact]
    public void Other_inputs_are_not_its_own()
    {
        var (h, disks) = Start();
        using var _ = h;
        Assert.False(disks.HandleAsync(new SupervisorInput.Traffic(1, 1)).Result);
    }

    [Fact]
    public void A_watcher_that_cannot_start_is_reported_as_storage()
    {
        using var h = new ConcernHarness();
        var watcher = new Mock<IStorageWatcher>();
        watcher.Setup(w => w.Start()).Throws(new HalException("netlink: Operation not permitted"));
        new DiskConcern(h.Context("disk"), watcher.Object, h.Inbox).Start();
        Assert.Equal("storage", (string?)h.Link.EventsOf("error").Single().Fields["source"]);
    }
}
