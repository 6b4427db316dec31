using Box.Hal.Storage;
using Box.Hal.Tests.Support;

namespace Box.Hal.Tests.Storage;

public class LinuxMounterTests
{
    [Theory]
    [InlineData("ext2", "ext4")]
    [InlineData("ext3", "ext4")]
    [InlineData("ext4", "ext4")]
    [InlineData("vfat", "vfat")]
    [InlineData("exfat", "exfat")]
    [InlineData("ntfs", "ntfs3")] // read-write in-kernel driver, not the old read-only "ntfs"
    public void Mounts_each_filesystem_with_the_kernel_driver_that_writes_it(string found, string driver) =>
        Assert.Equal(driver, LinuxMounter.KernelDriver(found));


    [Fact]
    public void Mount_failure_names_device_and_errno_text()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["dev"]);
        Tools.Blank(dir["dev/sdz1"], 1 << 20);
        var mounter = new LinuxMounter(dir.Path, dir["media"]);
        // An image file is not a block device: the kernel refuses (ENOTBLK, or EPERM without CAP_SYS_ADMIN).
        var e = Assert.Throws<HalException>(() => mounter.Mount(new DiskInfo { Device = "sdz1", FsType = "ext4", FsUuid = "0000-1111" }));
        Assert.StartsWith("sdz1: mount ext4", e.Message);
        Assert.Matches(@"\(errno \d+\)$", e.Message);
        Assert.False(Directory.Exists(dir["media/0000-1111"])); // no stray mount point left behind
    }

    [Fact]
    public void Disk_without_uuid_is_refused_before_mount()
    {
        var mounter = new LinuxMounter("/", "/media/box");
        var e = Assert.Throws<HalException>(() => mounter.Mount(new DiskInfo { Device = "sdq1" }));
        Assert.Contains("sdq1", e.Message);
    }
}

public class UeventSocketTests
{
    [Fact]
    public void Opens_receives_nothing_in_time_and_closes()
    {
        UeventSocket socket;
        try
        {
            socket = new UeventSocket();
        }
        catch (HalException e)
        {
            // Some sandboxes forbid netlink; the message must still say what failed.
            Assert.StartsWith("uevent socket", e.Message);
            return;
        }
        using (socket)
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            // Uevents may or may not arrive here; either way Receive returns on cancellation.
            while (socket.Receive(cts.Token) is not null) { }
        }
    }
}
