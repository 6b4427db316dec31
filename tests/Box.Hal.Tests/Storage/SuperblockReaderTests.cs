using Box.Hal.Storage;
using Box.Hal.Tests.Support;

namespace Box.Hal.Tests.Storage;

/// <summary>Real filesystems made by mkfs on image files, checked against blkid.</summary>
public class SuperblockReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, string> Blkid(string image) =>
        Tools.Run("blkid", "-p", "-o", "export", image)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1]);

    private string Ext4(string uuid = "3f1c2a9e-5b7d-4e21-9a0c-7d3e8f6b1a24", string label = "boxdisk")
    {
        string img = Tools.Blank(_dir["ext4.img"], 8 << 20);
        Tools.Run("mkfs.ext4", "-F", "-q", "-U", uuid, "-L", label, img);
        return img;
    }

    [Fact]
    public void Reads_ext4_uuid_label_and_type()
    {
        string img = Ext4();
        var probe = SuperblockReader.Probe(img);
        Assert.Equal(ProbeStatus.Recognized, probe.Status);
        Assert.Equal("ext4", probe.FsType);
        Assert.Equal("3f1c2a9e-5b7d-4e21-9a0c-7d3e8f6b1a24", probe.Uuid);
        Assert.Equal("boxdisk", probe.Label);
        var blkid = Blkid(img);
        Assert.Equal((blkid["TYPE"], blkid["UUID"], blkid["LABEL"]), (probe.FsType, probe.Uuid, probe.Label));
    }

    [Theory]
    [InlineData("ext2")]
    [InlineData("ext3")]
    public void Tells_ext2_and_ext3_apart(string type)
    {
        string img = Tools.Blank(_dir[$"{type}.img"], 8 << 20);
        Tools.Run($"mkfs.{type}", "-F", "-q", "-L", "old", img);
        var probe = SuperblockReader.Probe(img);
        Assert.Equal(type, probe.FsType);
        Assert.Equal(Blkid(img)["UUID"], probe.Uuid);
    }

    [Fact]
    public void Reads_fat16_volume_id_and_label()
    {
        string img = Tools.Blank(_dir["fat16.img"], 16 << 20);
        Tools.Run("mkfs.vfat", "-i", "1234ABCD", "-n", "BOXUSB", img);
        var probe = SuperblockReader.Probe(img);
        Assert.Equal((ProbeStatus.Recognized, "vfat", "1234-ABCD", "BOXUSB"), (probe.Status, probe.FsType, probe.Uuid, probe.Label));
        var blkid = Blkid(img);
        Assert.Equal((blkid["TYPE"], blkid["UUID"], blkid["LABEL"]), (probe.FsType, probe.Uuid, probe.Label));
    }

    [Fact]
    public void Reads_fat32_volume_id_and_label()
    {
        string img = _dir["fat32.img"];
        Tools.Run("mkfs.vfat", "-C", "-F", "32", "-i", "0badf00d", "-n", "STICK32", img, "40000");
        var probe = SuperblockReader.Probe(img);
        Assert.Equal(("vfat", "0BAD-F00D", "STICK32"), (probe.FsType, probe.Uuid, probe.Label));
        Assert.Equal(Blkid(img)["UUID"], probe.Uuid);
    }

    [Fact]
    public void Fat_without_label_has_null_label()
    {
        string img = Tools.Blank(_dir["nolabel.img"], 4 << 20);
        Tools.Run("mkfs.vfat", "-i", "CAFEBABE", img);
        var probe = SuperblockReader.Probe(img);
        Assert.Equal("CAFE-BABE", probe.Uuid);
        Assert.Null(probe.Label);
    }

    [Fact]
    public void Reads_exfat_serial_and_label_from_the_root_directory()
    {
        string img = Tools.Blank(_dir["exfat.img"], 16 << 20);
        Tools.Run("mkfs.exfat", "-L", "BoxExfat", img);
        Tools.Run("tune.exfat", "-I", "0x89abcdef", img);
        var probe = SuperblockReader.Probe(img);
        Assert.Equal((ProbeStatus.Recognized, "exfat", "89AB-CDEF", "BoxExfat"), (probe.Status, probe.FsType, probe.Uuid, probe.Label));
        var blkid = Blkid(img);
        Assert.Equal((blkid["UUID"], blkid["LABEL"]), (probe.Uuid, probe.Label));
    }

    [Theory]
    [InlineData("OwnerDisk", 4096)]
    [InlineData("Meine Platte ü", 1024)] // non-ASCII label, 1 KiB clusters
    [InlineData(null, 65536)]
    public void Reads_ntfs_serial_and_label_from_the_volume_record(string? label, int clusterBytes)
    {
        string img = Tools.Blank(_dir[$"ntfs-{clusterBytes}.img"], 32 << 20);
        var args = new List<string> { "-F", "-Q", "-c", clusterBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (label is not null) args.AddRange(["-L", label]);
        args.Add(img);
        Tools.Run("mkntfs", [.. args]);
        var probe = SuperblockReader.Probe(img);
        var blkid = Blkid(img);
        Assert.Equal((ProbeStatus.Recognized, "ntfs"), (probe.Status, probe.FsType));
        Assert.Equal(blkid["UUID"], probe.Uuid);
        Assert.Equal(label, probe.Label); // blkid's export form escapes spaces and non-ASCII bytes
    }

    [Fact]
    public void Ntfs_with_bad_geometry_is_corrupt_and_a_torn_volume_record_loses_only_the_label()
    {
        string img = Tools.Blank(_dir["badntfs.img"], 16 << 20);
        Tools.Run("mkntfs", "-F", "-Q", "-L", "Torn", img);
        byte[] boot = new byte[512];
        using (var f = new FileStream(img, FileMode.Open))
        {
            f.ReadExactly(boot);
            long cluster = BitConverter.ToUInt16(boot, 0x0B) * boot[0x0D];
            long mft = BitConverter.ToInt64(boot, 0x30) * cluster;
            f.Position = mft + 3 * 1024 + 510; // the first sector's update-sequence slot of $Volume
            f.Write([0xDE, 0xAD]);
        }
        var torn = SuperblockReader.Probe(img);
        Assert.Equal((ProbeStatus.Recognized, "ntfs", (string?)null), (torn.Status, torn.FsType, torn.Label));
        Assert.Equal(Blkid(img)["UUID"], torn.Uuid);

        using (var f = new FileStream(img, FileMode.Open))
        {
            f.Position = 0x0D; // sectors per cluster
            f.WriteByte(0);
        }
        var probe = SuperblockReader.Probe(img);
        Assert.Equal(ProbeStatus.Corrupt, probe.Status);
        Assert.StartsWith("corrupt ntfs superblock", probe.Problem);
    }

    [Fact]
    public void Ext4_with_impossible_block_size_is_corrupt()
    {
        string img = Ext4();
        using (var f = new FileStream(img, FileMode.Open))
        {
            f.Position = 1024 + 24; // s_log_block_size
            f.Write([20, 0, 0, 0]);
        }
        var probe = SuperblockReader.Probe(img);
        Assert.Equal(ProbeStatus.Corrupt, probe.Status);
        Assert.StartsWith("corrupt ext4 superblock: block size", probe.Problem);
    }

    [Fact]
    public void Fat_with_broken_bpb_is_corrupt()
    {
        string img = Tools.Blank(_dir["badfat.img"], 4 << 20);
        Tools.Run("mkfs.vfat", "-n", "X", img);
        using (var f = new FileStream(img, FileMode.Open))
        {
            f.Position = 0x0B; // bytes per sector
            f.Write([0x33, 0x01]);
        }
        var probe = SuperblockReader.Probe(img);
        Assert.Equal(ProbeStatus.Corrupt, probe.Status);
        Assert.Contains("bytes/sector 307", probe.Problem);
    }

    [Fact]
    public void Exfat_with_bad_geometry_is_corrupt()
    {
        string img = Tools.Blank(_dir["badexfat.img"], 16 << 20);
        Tools.Run("mkfs.exfat", img);
        using (var f = new FileStream(img, FileMode.Open))
        {
            f.Position = 108; // BytesPerSectorShift
            f.WriteByte(31);
        }
        var probe = SuperblockReader.Probe(img);
        Assert.Equal(ProbeStatus.Corrupt, probe.Status);
        Assert.StartsWith("corrupt exfat superblock", probe.Problem);
    }

    [Fact]
    public void Truncated_images_are_unknown()
    {
        string img = Ext4();
        foreach (int length in new[] { 0, 100, 1000, 1100 })
        {
            string cut = _dir[$"cut{length}.img"];
            File.WriteAllBytes(cut, File.ReadAllBytes(img).AsSpan(0, length).ToArray());
            var probe = SuperblockReader.Probe(cut);
            Assert.Equal(ProbeStatus.Unknown, probe.Status);
            Assert.Equal("unknown filesystem", probe.Problem);
        }
    }

    [Fact]
    public void Random_and_zeroed_images_are_unknown_never_exceptions()
    {
        var rng = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[rng.Next(0, 9000)];
            rng.NextBytes(bytes);
            var probe = SuperblockReader.Probe(new MemoryStream(bytes));
            Assert.NotEqual(ProbeStatus.Recognized, probe.Status);
        }
        Assert.Equal(ProbeStatus.Unknown, SuperblockReader.Probe(new MemoryStream(new byte[65536])).Status);
    }

    [Fact]
    public void Partition_table_alone_is_unknown()
    {
        var mbr = new byte[4096];
        mbr[510] = 0x55;
        mbr[511] = 0xAA;
        mbr[0x1BE + 4] = 0x83; // one Linux partition entry
        Assert.Equal(ProbeStatus.Unknown, SuperblockReader.Probe(new MemoryStream(mbr)).Status);
    }

    [Fact]
    public void Unreadable_path_is_unknown_with_the_reason()
    {
        var probe = SuperblockReader.Probe(_dir["no-such-device"]);
        Assert.Equal(ProbeStatus.Unknown, probe.Status);
        Assert.Contains("cannot read", probe.Problem);
    }
}
