using Box.Hal.Platform;

namespace Box.Hal.Tests.Platform;

public class LinuxSystemTests
{
    [Fact]
    public void Reads_uptime_thermal_zones_and_device_tree_serial()
    {
        using var dir = new TempDir();
        dir.Write("proc/uptime", "12345.67 40000.00\n");
        dir.Write("sys/class/thermal/thermal_zone0/type", "cpu-thermal\n");
        dir.Write("sys/class/thermal/thermal_zone0/temp", "47250\n");
        dir.Write("sys/class/thermal/thermal_zone1/type", "cpu-thermal\n");
        dir.Write("sys/class/thermal/thermal_zone1/temp", "-1500\n");
        dir.Write("sys/class/thermal/thermal_zone2/type", "gpu-thermal\n");
        dir.Write("sys/class/thermal/thermal_zone2/temp", "");
        dir.Write("proc/device-tree/serial-number", "c7f7e1b1a2b3c4d5\0");
        dir.Write("proc/cpuinfo", "Serial\t\t: 10000000deadbeef\n");

        var sys = new LinuxSystem(dir.Path);
        Assert.Equal(TimeSpan.FromSeconds(12345.67), sys.Uptime);
        var temps = sys.ReadTemperatures();
        Assert.Equal(47.25, temps["cpu-thermal"]);
        Assert.Equal(-1.5, temps["cpu-thermal#1"]);
        Assert.False(temps.ContainsKey("gpu-thermal"));
        Assert.Equal("c7f7e1b1a2b3c4d5", sys.SerialNumber);
    }

    [Fact]
    public void Serial_falls_back_to_cpuinfo_and_is_unknown_without_either()
    {
        using var dir = new TempDir();
        dir.Write("proc/cpuinfo", "processor\t: 0\nSerial\t\t: 0000000000000000\n");
        dir.Write("etc/machine-id", "0123456789abcdef0123456789abcdef\n"); // not a hardware serial: BoxIds ranks it below a MAC
        Assert.Equal(LinuxSystem.UnknownSerial, new LinuxSystem(dir.Path).SerialNumber);

        dir.Write("proc/cpuinfo", "Hardware\t: BCM2835\nSerial\t\t: 10000000deadbeef\n");
        Assert.Equal("10000000deadbeef", new LinuxSystem(dir.Path).SerialNumber);
    }

    [Fact]
    public void Reboot_under_a_tree_is_recorded_not_performed()
    {
        using var dir = new TempDir();
        var time = new FakeTime(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        var sys = new LinuxSystem(dir.Path, time);
        Assert.False(sys.IsHostRoot);
        sys.Reboot();
        Assert.StartsWith("2026-03-04T05:06:07", File.ReadAllText(dir["run/reboot-requested"]));
        Assert.True(sys.Uptime > TimeSpan.Zero); // no proc/uptime: falls back to the monotonic clock
        Assert.Empty(sys.ReadTemperatures());
        Assert.Equal("unknown", sys.SerialNumber);
    }
}
