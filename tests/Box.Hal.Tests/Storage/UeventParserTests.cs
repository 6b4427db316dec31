using System.Text;
using Box.Hal.Storage;

namespace Box.Hal.Tests.Storage;

public class UeventParserTests
{
    private static byte[] Payload(string text) => Encoding.UTF8.GetBytes(text.Replace('|', '\0'));

    // As captured from NETLINK_KOBJECT_UEVENT when a USB stick is plugged in (udevadm monitor --kernel --property).
    private const string AddSda1 =
        "add@/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sda/sda1|" +
        "ACTION=add|DEVPATH=/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sda/sda1|" +
        "SUBSYSTEM=block|MAJOR=8|MINOR=1|DEVNAME=sda1|DEVTYPE=partition|DISKSEQ=27|PARTN=1|SEQNUM=5113|";

    [Fact]
    public void Parses_a_partition_add()
    {
        var ev = UeventParser.Parse(Payload(AddSda1));
        Assert.NotNull(ev);
        Assert.Equal("add", ev.Action);
        Assert.EndsWith("/block/sda/sda1", ev.DevPath);
        Assert.Equal("block", ev.Subsystem);
        Assert.Equal("sda1", ev.DevName);
        Assert.Equal("partition", ev.DevType);
        Assert.Equal("5113", ev.Get("SEQNUM"));
    }

    [Fact]
    public void Parses_disk_remove_and_change()
    {
        var remove = UeventParser.Parse(Payload(
            "remove@/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sda|ACTION=remove|" +
            "DEVPATH=/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sda|SUBSYSTEM=block|" +
            "MAJOR=8|MINOR=0|DEVNAME=sda|DEVTYPE=disk|DISKSEQ=27|SEQNUM=5120|"));
        Assert.Equal(("remove", "sda", "disk"), (remove!.Action, remove.DevName, remove.DevType));

        var change = UeventParser.Parse(Payload(
            "change@/devices/platform/soc/c9040000.usb/usb1/1-1/1-1:1.0/host0/target0:0:0/0:0:0:0/block/sda|ACTION=change|" +
            "DEVPATH=/devices/platform/soc/c9040000.usb/usb1/1-1/1-1:1.0/host0/target0:0:0/0:0:0:0/block/sda|SUBSYSTEM=block|" +
            "DISK_MEDIA_CHANGE=1|MAJOR=8|MINOR=0|DEVNAME=sda|DEVTYPE=disk|SEQNUM=1804|"));
        Assert.Equal("change", change!.Action);
        Assert.Equal("1", change.Get("DISK_MEDIA_CHANGE"));
    }

    [Fact]
    public void Parses_non_block_events_too()
    {
        var ev = UeventParser.Parse(Payload("bind@/devices/pci0000:00/0000:00:14.0/usb2/2-1|ACTION=bind|DEVPATH=/devices/pci0000:00/0000:00:14.0/usb2/2-1|SUBSYSTEM=usb|DEVTYPE=usb_device|DRIVER=usb|SEQNUM=5104|"));
        Assert.Equal("usb", ev!.Subsystem);
    }

    [Fact]
    public void Ignores_libudev_messages()
    {
        // udevd's rebroadcast: "libudev\0", magic 0xfeedcafe, header sizes, then properties.
        var msg = new List<byte>(Encoding.ASCII.GetBytes("libudev\0"));
        msg.AddRange([0xfe, 0xed, 0xca, 0xfe, 0x28, 0, 0, 0, 0x28, 0, 0, 0]);
        msg.AddRange(Payload("ACTION=add|DEVPATH=/devices/x/block/sda|SUBSYSTEM=block|DEVNAME=/dev/sda|ID_FS_UUID=1234|"));
        Assert.Null(UeventParser.Parse(msg.ToArray()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello world")]
    [InlineData("add@|ACTION=add|")]
    [InlineData("add@relative/path|ACTION=add|")]
    [InlineData("add@/devices/x|ACTION=remove|")]
    [InlineData("add@/devices/x|not a property|")]
    [InlineData("ADD;@/devices/x|")]
    public void Garbage_yields_null(string text)
    {
        Assert.Null(UeventParser.Parse(Payload(text)));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var rng = new Random(42);
        for (int i = 0; i < 2000; i++)
        {
            var b = new byte[rng.Next(0, 300)];
            rng.NextBytes(b);
            UeventParser.Parse(b);
        }
    }

    [Fact]
    public void Format_round_trips()
    {
        var ev = UeventParser.Parse(Payload(AddSda1))!;
        var again = UeventParser.Parse(UeventParser.Format(ev))!;
        Assert.Equal(ev.Action, again.Action);
        Assert.Equal(ev.DevPath, again.DevPath);
        Assert.Equal(ev.Properties, again.Properties);
    }
}
