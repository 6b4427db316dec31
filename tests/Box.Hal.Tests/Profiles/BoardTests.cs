using Box.Hal.Profiles;
using Box.Hal.Sim;

namespace Box.Hal.Tests.Profiles;

public class BoardTests
{
    [Fact]
    public void Sim_board_opens_every_part_without_faults()
    {
        using var dir = new TempDir();
        SimBoard.Create(dir.Path);
        using var board = Board.Open("sim", dir.Path);
        Assert.Equal("sim", board.Name);
        Assert.Empty(board.Faults);
        Assert.Equal(["disk", "network", "status"], board.Leds.Keys.Order());
        Assert.Equal("box:green:status", board.Leds["status"].Name);
        Assert.Equal("reset", board.Buttons["reset"].Name);
        Assert.Equal("unknown", board.System.SerialNumber); // no hardware serial: the agent's id comes from etc/machine-id
    }

    [Fact]
    public void Missing_led_and_unreadable_input_device_become_faults_and_the_rest_works()
    {
        using var dir = new TempDir();
        SimBoard.Create(dir.Path);
        Directory.Delete(dir["sys/class/leds/box:blue:network"], recursive: true);
        File.Delete(dir["dev/input/event0"]);

        using var board = Board.Open("sim", dir.Path);
        Assert.Equal(2, board.Faults.Count);
        Assert.Contains(board.Faults, f => f.Part == "led network" && f.Message.Contains("box:blue:network"));
        Assert.Contains(board.Faults, f => f.Part == "button reset" && f.Message.Contains("event0"));
        Assert.False(board.Leds.ContainsKey("network"));
        Assert.Empty(board.Buttons);

        board.Leds["status"].SetPattern(LedPattern.BlinkSlow);
        Assert.Contains(SimBoard.ReadLeds(dir.Path), l => l.ToString() == "box:green:status blink-slow");
    }

    [Fact]
    public void Qemu_virt_finds_gpio_keys_by_name_and_has_no_leds()
    {
        using var dir = new TempDir();
        dir.Write("sys/class/input/event0/device/name", "gpio-keys\n");
        dir.Write("dev/input/event0", "");
        using var board = Board.Open(BoardProfiles.Load("qemu-virt") is var p ? p : null!, dir.Path);
        Assert.Empty(board.Leds);
        Assert.True(board.Buttons.ContainsKey("reset"));
        Assert.DoesNotContain(board.Faults, f => f.Part.StartsWith("button", StringComparison.Ordinal));
    }

    [Fact]
    public void Rpi4_falls_back_to_the_old_led_names()
    {
        using var dir = new TempDir();
        dir.Write("sys/class/leds/led0/brightness", "0");
        dir.Write("sys/class/leds/led1/brightness", "0");
        using var board = Board.Open("rpi4", dir.Path);
        Assert.Equal("led0", board.Leds["status"].Name);
        Assert.Equal("led1", board.Leds["network"].Name);
        // No GPIO chip on this machine: the reset button is a fault, not a crash.
        Assert.Contains(board.Faults, f => f.Part == "button reset");
    }
}
