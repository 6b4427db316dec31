using Box.Agent.Hosting;

namespace Box.Agent.Tests.Hosting;

/// <summary>Box id resolution over a temp directory standing in for "/" (sysfs
/// network interfaces as plain files) and a temp data dir.</summary>
public class BoxIdsTests : IDisposable
{
    private readonly TempDir _root = new("root");
    private readonly TempDir _data = new("data");

    public void Dispose()
    {
        _root.Dispose();
        _data.Dispose();
    }

    /// <summary>/sys/class/net/NAME as the kernel shows it; physical ones have a device link.</summary>
    private void Interface(string name, string address, bool physical = true, int assignType = 0)
    {
        _root.Write($"sys/class/net/{name}/address", address + "\n");
        _root.Write($"sys/class/net/{name}/addr_assign_type", assignType + "\n");
        if (physical)
            Directory.CreateDirectory(_root[$"sys/class/net/{name}/device"]);
    }

    private BoxIdentity Resolve(string? serial = "unknown") => BoxIds.Resolve(_root.Path, _data.Path, serial);

    [Fact]
    public void Readable_serial_wins()
    {
        Interface("eth0", "b8:27:eb:12:34:56");
        _root.Write("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
        Assert.Equal(new BoxIdentity("10000000deadbeef", "serial"), Resolve("10000000DEADBEEF"));
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("0000000000000000")]
    public void Unreadable_serial_falls_back_to_the_first_permanent_hardware_mac(string? serial)
    {
        Interface("lo", "00:00:00:00:00:00", physical: false);
        Interface("docker0", "02:42:ac:11:00:02", physical: false);    // bridge: no device
        Interface("dummy0", "00:00:00:00:00:00");
        Interface("eth0", "3a:91:0c:55:66:77");                        // locally administered bit set
        Interface("eth1", "00:1e:06:aa:bb:cc", assignType: 1);         // random (NET_ADDR_RANDOM)
        Interface("eth2", "00:1E:06:31:7F:E2");
        Interface("wlan0", "dc:a6:32:01:02:03");
        _root.Write("etc/machine-id", "0123456789abcdef0123456789abcdef\n");

        Assert.Equal(new BoxIdentity("001e06317fe2", "mac eth2"), Resolve(serial));
        Assert.False(File.Exists(_data[BoxIds.GeneratedIdFile]));
    }

    [Fact]
    public void No_usable_mac_falls_back_to_machine_id()
    {
        Interface("lo", "00:00:00:00:00:00", physical: false);
        Interface("eth0", "02:11:22:33:44:55");                        // software-assigned
        _root.Write("etc/machine-id", "0123456789ABCDEF0123456789ABCDEF\n");

        Assert.Equal(new BoxIdentity("0123456789abcdef0123456789abcdef", "machine-id"), Resolve());
        Assert.False(File.Exists(_data[BoxIds.GeneratedIdFile]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("uninitialized\n")]                                  // systemd's first-boot placeholder
    [InlineData("\n")]
    public void Nothing_readable_generates_an_id_once_and_keeps_it(string? machineId)
    {
        if (machineId is not null)
            _root.Write("etc/machine-id", machineId);

        var first = Resolve();
        Assert.Equal("generated", first.Source);
        Assert.Matches("^[0-9a-f]{32}$", first.Id);
        Assert.Equal(first.Id + "\n", File.ReadAllText(_data[BoxIds.GeneratedIdFile]));
        Assert.Equal([BoxIds.GeneratedIdFile], Directory.GetFiles(_data.Path).Select(Path.GetFileName)); // no temp file left

        var second = Resolve();                                         // the next start
        Assert.Equal(first, second);
    }

    [Fact]
    public void Two_boxes_without_serial_mac_or_machine_id_get_different_ids()
    {
        using var otherData = new TempDir("data2");
        var a = Resolve();
        var b = BoxIds.Resolve(_root.Path, otherData.Path, "unknown");
        Assert.NotEqual(a.Id, b.Id);
        Assert.NotEqual("unknown", a.Id);
    }
}
