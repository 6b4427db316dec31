using Box.Hal.Storage;

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
}
