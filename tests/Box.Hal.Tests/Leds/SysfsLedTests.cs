using Box.Hal.Leds;

namespace Box.Hal.Tests.Leds;

public class SysfsLedTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();
    private const string Name = "onecloud:blue:alive";

    private string LedDir => _dir[$"sys/class/leds/{Name}"];
    private string Read(string file) => File.ReadAllText(Path.Combine(LedDir, file));

    private SysfsLed Open(string maxBrightness = "255")
    {
        _dir.Write($"sys/class/leds/{Name}/max_brightness", maxBrightness + "\n");
        _dir.Write($"sys/class/leds/{Name}/brightness", "0\n");
        _dir.Write($"sys/class/leds/{Name}/trigger", "[none] timer heartbeat mmc1\n");
        return new SysfsLed(_dir.Path, Name);
    }

    [Theory]
    [InlineData(LedPattern.BlinkSlow, "500", "500")]
    [InlineData(LedPattern.BlinkFast, "100", "100")]
    [InlineData(LedPattern.Pulse, "50", "1950")]
    public void Blink_patterns_use_the_timer_trigger(LedPattern pattern, string on, string off)
    {
        using var led = Open();
        led.SetPattern(pattern);
        Assert.Equal("timer", Read("trigger"));
        Assert.Equal(on, Read("delay_on"));
        Assert.Equal(off, Read("delay_off"));
        Assert.Equal(pattern, led.Pattern);
        Assert.Equal(pattern, SysfsLed.ReadPattern(LedDir).Pattern);
    }

    [Fact]
    public void Heartbeat_uses_the_heartbeat_trigger()
    {
        using var led = Open();
        led.SetPattern(LedPattern.Heartbeat);
        Assert.Equal("heartbeat", Read("trigger"));
        Assert.Equal((LedPattern?)LedPattern.Heartbeat, SysfsLed.ReadPattern(LedDir).Pattern);
    }

    [Fact]
    public void On_and_off_drop_the_trigger_and_set_brightness()
    {
        using var led = Open();
        led.SetPattern(LedPattern.BlinkFast);
        led.SetPattern(LedPattern.On);
        Assert.Equal("none", Read("trigger"));
        Assert.Equal("255", Read("brightness"));

        led.Brightness = 0.5;
        Assert.Equal("128", Read("brightness"));

        led.SetPattern(LedPattern.Off);
        Assert.Equal("none", Read("trigger"));
        Assert.Equal("0", Read("brightness"));
        Assert.Equal("off", SysfsLed.ReadPattern(LedDir).Description);
    }

    [Fact]
    public void Missing_max_brightness_means_a_plain_on_off_led()
    {
        _dir.Write($"sys/class/leds/{Name}/trigger", "none");
        using var led = new SysfsLed(_dir.Path, Name);
        led.SetPattern(LedPattern.On);
        Assert.Equal("1", Read("brightness"));
    }

    [Fact]
    public void Missing_led_is_a_HalException_naming_it()
    {
        var e = Assert.Throws<HalException>(() => new SysfsLed(_dir.Path, "box:red:missing"));
        Assert.Contains("box:red:missing", e.Message);
    }

    [Fact]
    public void Decodes_the_kernel_trigger_list_and_foreign_triggers()
    {
        _dir.Write("sys/class/leds/a/trigger", "none timer [heartbeat] mmc0\n");
        Assert.Equal("heartbeat", SysfsLed.ReadPattern(_dir["sys/class/leds/a"]).Description);
        _dir.Write("sys/class/leds/b/trigger", "none [mmc0] timer\n");
        var (pattern, description) = SysfsLed.ReadPattern(_dir["sys/class/leds/b"]);
        Assert.Null(pattern);
        Assert.Equal("trigger mmc0", description);
    }
}

public class LedPatternNamesTests
{
    [Fact]
    public void Every_pattern_round_trips_through_its_kebab_name()
    {
        Assert.Equal(["off", "on", "blink-slow", "blink-fast", "heartbeat", "pulse"], LedPatternNames.All);
        foreach (var p in Enum.GetValues<LedPattern>())
            Assert.Equal(p, LedPatternNames.Parse(p.ToName()));
    }

    [Fact]
    public void Unknown_name_lists_the_valid_ones()
    {
        Assert.False(LedPatternNames.TryParse("strobe", out _));
        var e = Assert.Throws<ArgumentException>(() => LedPatternNames.Parse("strobe"));
        Assert.Contains("blink-slow", e.Message);
    }
}
