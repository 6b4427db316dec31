using Box.Hal.Profiles;

namespace Box.Hal.Tests.Profiles;

public class BoardProfilesTests
{
    [Fact]
    public void Every_built_in_profile_loads()
    {
        Assert.Equal(["onecloud", "qemu-virt", "rpi4", "sim"], BoardProfiles.BuiltInNames);
        foreach (var name in BoardProfiles.BuiltInNames)
        {
            var p = BoardProfiles.Load(name);
            Assert.Equal(name, p.Name);
            Assert.False(string.IsNullOrWhiteSpace(p.Description));
            Assert.True(p.Buttons.ContainsKey("reset"), $"{name} has a reset button");
            if (p.Leds.Count > 0)
                Assert.True(p.Leds.ContainsKey("status"), $"{name} has a status LED");
        }
    }

    [Fact]
    public void Onecloud_uses_the_device_tree_names()
    {
        var p = BoardProfiles.Load("onecloud");
        Assert.Equal(["onecloud:blue:alive", "onecloud:green:alive", "onecloud:red:alive"],
            new[] { "status", "network", "disk" }.Select(r => p.Leds[r].Name));
        Assert.Equal(256, p.Buttons["reset"].KeyCode); // BTN_0
        Assert.Contains("mmcblk*", p.Storage.IgnoreDevices);
    }

    [Fact]
    public void Loads_a_profile_file()
    {
        using var dir = new TempDir();
        string path = dir.Write("myboard.json", """
            {
              "name": "myboard",
              "leds": { "status": { "driver": "gpio", "pin": 17, "activeLow": true } },
              "buttons": { "reset": { "driver": "input", "deviceName": "gpio-keys", "keyCode": 408 } },
              "storage": { "mountRoot": "/mnt/box", "ignoreDevices": ["mmcblk*"] },
              "debounceMs": 15,
            }
            """);
        var p = BoardProfiles.Load(path);
        Assert.Equal(17, p.Leds["status"].Pin);
        Assert.True(p.Leds["status"].ActiveLow);
        Assert.Equal("/mnt/box", p.Storage.MountRoot);
        Assert.Equal(path, p.Source);
    }

    [Theory]
    [InlineData("""{"name":"x","leds":{"status":{"driver":"pwm","name":"a"}}}""", "leds.status.driver: unknown driver 'pwm'")]
    [InlineData("""{"name":"x","leds":{"status":{"driver":"sysfs"}}}""", "leds.status.name: missing")]
    [InlineData("""{"name":"x","leds":{"status":{"name":"a"}}}""", "leds.status.driver: missing")]
    [InlineData("""{"name":"x","leds":{"status":{"driver":"gpio","pin":-4}}}""", "leds.status.pin: -4 is not a GPIO line number")]
    [InlineData("""{"name":"x","leds":{"status":{"driver":"gpio"}}}""", "leds.status.pin: missing")]
    [InlineData("""{"name":"x","leds":{"network":{"driver":"sysfs","name":"a"}}}""", "leds: a board with LEDs must give one the \"status\" role")]
    [InlineData("""{"name":"x","leds":{"status":{"driver":"sysfs","name":"a"},"disk":{"driver":"sysfs","name":"a"}}}""", "leds.disk: sysfs LED 'a' is already the 'status' LED")]
    [InlineData("""{"name":"x","buttons":{"reset":{"driver":"input","keyCode":116}}}""", "buttons.reset: give exactly one of")]
    [InlineData("""{"name":"x","buttons":{"reset":{"driver":"input","device":"/dev/input/event0"}}}""", "buttons.reset.keyCode: missing")]
    [InlineData("""{"name":"x","buttons":{"reset":{"driver":"input","device":"/etc/passwd","keyCode":1}}}""", "buttons.reset.device: '/etc/passwd' is not under /dev/input/")]
    [InlineData("""{"name":"x","buttons":{"reset":{"driver":"input","device":"/dev/input/event0","keyCode":99999}}}""", "buttons.reset.keyCode: 99999 out of range")]
    [InlineData("""{"name":"x","buttons":{"reset":{"driver":"gpio","pin":5000}}}""", "buttons.reset.pin: 5000 is not a GPIO line number")]
    [InlineData("""{"name":"x","storage":{"mountRoot":"media"}}""", "storage.mountRoot: 'media' must be an absolute path")]
    [InlineData("""{"name":"x","storage":{"driver":"nfs"}}""", "storage.driver: unknown driver 'nfs'")]
    [InlineData("""{"leds":{}}""", "name: missing")]
    [InlineData("""{"name":"x","debounceMs":-1}""", "debounceMs: -1 out of range")]
    public void Invalid_profiles_name_the_field(string json, string expected)
    {
        var e = Assert.Throws<BoardProfileException>(() => BoardProfiles.Parse(json, "test.json"));
        Assert.StartsWith("test.json: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Malformed_json_gives_the_line()
    {
        var e = Assert.Throws<BoardProfileException>(() => BoardProfiles.Parse("{\n  \"name\": \"x\",\n  \"leds\": {\n    \"status\": { \"driver\": \"sysfs\" \"name\": \"a\" }\n  }\n}", "bad.json"));
        Assert.StartsWith("bad.json: line 4", e.Message);
    }

    [Fact]
    public void Duplicate_role_is_rejected()
    {
        var e = Assert.Throws<BoardProfileException>(() => BoardProfiles.Parse(
            """{"name":"x","leds":{"status":{"driver":"sysfs","name":"a"},"status":{"driver":"sysfs","name":"b"}}}""", "dup.json"));
        Assert.StartsWith("dup.json: ", e.Message);
        Assert.Contains("status", e.Message);
    }

    [Fact]
    public void Unknown_property_is_rejected_with_its_name()
    {
        var e = Assert.Throws<BoardProfileException>(() => BoardProfiles.Parse(
            """{"name":"x","leds":{"status":{"driver":"sysfs","nmae":"a"}}}""", "typo.json"));
        Assert.Contains("nmae", e.Message);
        Assert.Contains("line 1", e.Message);
    }

    [Fact]
    public void Unknown_board_lists_the_built_in_ones()
    {
        var e = Assert.Throws<BoardProfileException>(() => BoardProfiles.Load("orangepi"));
        Assert.Equal("unknown board 'orangepi' (built-in: onecloud, qemu-virt, rpi4, sim; or give a profile file path)", e.Message);
        var f = Assert.Throws<BoardProfileException>(() => BoardProfiles.Load("/nonexistent/board.json"));
        Assert.Equal("/nonexistent/board.json: no such board profile file", f.Message);
    }
}
