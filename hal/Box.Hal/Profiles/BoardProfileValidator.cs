using Box.Hal.Buttons;

namespace Box.Hal.Profiles;

/// <summary>Checks a parsed profile field by field; the first problem becomes a
/// <see cref="BoardProfileException"/> "{source}: {field}: {problem}".</summary>
internal static class BoardProfileValidator
{
    public static void Validate(BoardProfile p, string source)
    {
        void Fail(string field, string problem) => throw new BoardProfileException($"{source}: {field}: {problem}");

        if (string.IsNullOrWhiteSpace(p.Name))
            Fail("name", "missing");
        if (p.DebounceMs is < 0 or > 1000)
            Fail("debounceMs", $"{p.DebounceMs} out of range 0..1000");

        foreach (var (role, led) in p.Leds)
        {
            string f = $"leds.{role}";
            if (string.IsNullOrWhiteSpace(role))
                Fail("leds", "empty role name");
            if (led is null)
                Fail(f, "must be an object");
            switch (led!.Driver)
            {
                case "sysfs":
                    if (string.IsNullOrWhiteSpace(led.Name))
                        Fail($"{f}.name", "missing (the LED's directory name under /sys/class/leds)");
                    if (led.Name!.Contains('/') || led.Name.Contains(".."))
                        Fail($"{f}.name", $"'{led.Name}' is not a plain LED name");
                    if (led.Pin is not null)
                        Fail($"{f}.pin", "only for driver \"gpio\"");
                    break;
                case "gpio":
                    if (led.Pin is not int pin)
                        Fail($"{f}.pin", "missing (the GPIO line number)");
                    else if (pin is < 0 or > 4095)
                        Fail($"{f}.pin", $"{pin} is not a GPIO line number");
                    break;
                case null:
                    Fail($"{f}.driver", "missing (expected \"sysfs\" or \"gpio\")");
                    break;
                default:
                    Fail($"{f}.driver", $"unknown driver '{led.Driver}' (expected \"sysfs\" or \"gpio\")");
                    break;
            }
        }
        if (p.Leds.Count > 0 && !p.Leds.ContainsKey("status"))
            Fail("leds", "a board with LEDs must give one the \"status\" role");

        var usedLeds = new Dictionary<string, string>();
        foreach (var (role, led) in p.Leds)
        {
            string key = led.Driver == "gpio" ? $"gpio pin {led.Pin}" : $"sysfs LED '{led.Name}'";
            if (usedLeds.TryGetValue(key, out var other))
                Fail($"leds.{role}", $"{key} is already the '{other}' LED");
            usedLeds[key] = role;
        }

        foreach (var (role, button) in p.Buttons)
        {
            string f = $"buttons.{role}";
            if (string.IsNullOrWhiteSpace(role))
                Fail("buttons", "empty role name");
            if (button is null)
                Fail(f, "must be an object");
            switch (button!.Driver)
            {
                case "input":
                    if (string.IsNullOrWhiteSpace(button.Device) == string.IsNullOrWhiteSpace(button.DeviceName))
                        Fail(f, "give exactly one of \"device\" (e.g. /dev/input/event0) or \"deviceName\" (e.g. gpio-keys)");
                    if (button.Device is { } dev && (!dev.StartsWith("/dev/input/", StringComparison.Ordinal) || dev.Contains("..")))
                        Fail($"{f}.device", $"'{dev}' is not under /dev/input/");
                    if (button.KeyCode is not int code)
                        Fail($"{f}.keyCode", "missing (EV_KEY code from linux/input-event-codes.h)");
                    else if (code is < 1 or > KeyCodes.KEY_MAX)
                        Fail($"{f}.keyCode", $"{code} out of range 1..{KeyCodes.KEY_MAX}");
                    break;
                case "gpio":
                    if (button.Pin is not int pin)
                        Fail($"{f}.pin", "missing (the GPIO line number)");
                    else if (pin is < 0 or > 4095)
                        Fail($"{f}.pin", $"{pin} is not a GPIO line number");
                    break;
                case null:
                    Fail($"{f}.driver", "missing (expected \"input\" or \"gpio\")");
                    break;
                default:
                    Fail($"{f}.driver", $"unknown driver '{button.Driver}' (expected \"input\" or \"gpio\")");
                    break;
            }
        }

        switch (p.Storage.Driver)
        {
            case "uevent":
                if (!p.Storage.MountRoot.StartsWith('/'))
                    Fail("storage.mountRoot", $"'{p.Storage.MountRoot}' must be an absolute path");
                break;
            case "sim":
                break;
            default:
                Fail("storage.driver", $"unknown driver '{p.Storage.Driver}' (expected \"uevent\" or \"sim\")");
                break;
        }
        foreach (var pattern in p.Storage.IgnoreDevices)
        {
            if (string.IsNullOrWhiteSpace(pattern) || pattern.Contains('/'))
                Fail("storage.ignoreDevices", $"'{pattern}' is not a device-name pattern like \"mmcblk*\"");
        }
    }
}
