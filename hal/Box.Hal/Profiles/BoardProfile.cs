namespace Box.Hal.Profiles;

/// <summary>A board described as data: which LED and button drivers serve which
/// roles, where disks mount. See hal/README.md for the format.</summary>
public sealed class BoardProfile
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    /// <summary>LEDs by role ("status", "network", "disk", or your own).</summary>
    public Dictionary<string, LedSpec> Leds { get; set; } = [];
    /// <summary>Buttons by role ("reset", or your own).</summary>
    public Dictionary<string, ButtonSpec> Buttons { get; set; } = [];
    public StorageSpec Storage { get; set; } = new();
    /// <summary>Button debounce in milliseconds.</summary>
    public int DebounceMs { get; set; } = 20;

    /// <summary>Where the profile came from ("built-in sim", a file path); set by the loader.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Source { get; internal set; } = "";
}

public sealed class LedSpec
{
    /// <summary>"sysfs" (kernel LED class, blinking by kernel triggers) or "gpio" (raw line, software blink).</summary>
    public string? Driver { get; set; }
    /// <summary>sysfs: the directory name under /sys/class/leds.</summary>
    public string? Name { get; set; }
    /// <summary>sysfs: older kernels' names for the same LED, tried in order after <see cref="Name"/>.</summary>
    public List<string>? AltNames { get; set; }
    /// <summary>gpio: the line number on the default GPIO chip.</summary>
    public int? Pin { get; set; }
    public bool ActiveLow { get; set; }
}

public sealed class ButtonSpec
{
    /// <summary>"input" (evdev, e.g. gpio-keys) or "gpio" (raw line through System.Device.Gpio edge callbacks).</summary>
    public string? Driver { get; set; }
    /// <summary>input: device node, e.g. "/dev/input/event0" (under the board root).</summary>
    public string? Device { get; set; }
    /// <summary>input: input device name to look up instead of a fixed node, e.g. "gpio-keys".</summary>
    public string? DeviceName { get; set; }
    /// <summary>input: the EV_KEY code (linux/input-event-codes.h), e.g. 116 KEY_POWER.</summary>
    public int? KeyCode { get; set; }
    /// <summary>gpio: the line number.</summary>
    public int? Pin { get; set; }
    /// <summary>gpio: pressing pulls the line low (internal pull-up used). Default true.</summary>
    public bool ActiveLow { get; set; } = true;
}

public sealed class StorageSpec
{
    /// <summary>"uevent" (netlink + /sys/block + mount(2)) or "sim" (the simulated board's plug files).</summary>
    public string Driver { get; set; } = "uevent";
    /// <summary>Disks mount at {mountRoot}/{fs-uuid}.</summary>
    public string MountRoot { get; set; } = "/media/box";
    /// <summary>Device-name globs never treated as USB disks (boot media, loop, ram, zram).</summary>
    public List<string> IgnoreDevices { get; set; } = [];
}
