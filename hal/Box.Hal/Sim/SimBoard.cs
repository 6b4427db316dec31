using System.Security.Cryptography;
using System.Text;
using Box.Hal.Buttons;
using Box.Hal.Leds;
using Box.Hal.Storage;

namespace Box.Hal.Sim;

/// <summary>What a simulated LED shows: its sysfs name and the pattern decoded from
/// its files. <see cref="Description"/> is the kebab-case pattern name, or e.g.
/// "trigger mmc0" when the files show something no pattern produces.</summary>
public sealed record LedReading(string Name, LedPattern? Pattern, string Description)
{
    /// <summary>"&lt;name&gt; &lt;pattern&gt;", the line <c>box-agent sim leds</c> prints.</summary>
    public override string ToString() => $"{Name} {Description}";
}

/// <summary>The simulated board: a directory laid out like the parts of a Linux root
/// the drivers read (docs/contract.md, "Simulated board"), plus the operations behind
/// <c>box-agent sim press|plug|unplug|leds</c>.
/// <code>
/// DIR/sys/class/leds/box:{green:status,blue:network,amber:disk}/{brightness,max_brightness,trigger[,delay_on,delay_off]}
/// DIR/dev/input/event0                   input_event records; `sim press` appends
/// DIR/sys/class/input/event0/device/name "box-sim-keys"
/// DIR/run/uevents                        uevent records ("…\0\n"); `sim plug/unplug` append
/// DIR/run/sim-disks/&lt;device&gt;.json        one per plugged directory
/// DIR/run/reboot-requested               written instead of rebooting
/// DIR/etc/machine-id                     the board's identity (no serial, no MAC: the agent's id comes from it)
/// </code></summary>
public static class SimBoard
{
    public const string FsType = "simfs";
    public const string InputDeviceName = "box-sim-keys";
    public const ushort ResetKeyCode = KeyCodes.KEY_RESTART;

    /// <summary>LED names of the built-in sim profile.</summary>
    public static IReadOnlyList<string> LedNames { get; } = ["box:green:status", "box:blue:network", "box:amber:disk"];

    public static string InputDevicePath(string dir) => Path.Combine(dir, "dev/input/event0");
    public static string UeventsPath(string dir) => Path.Combine(dir, "run/uevents");
    public static string DisksDir(string dir) => Path.Combine(dir, "run/sim-disks");

    /// <summary>Lays out the tree. Idempotent: existing files (a running agent's LED
    /// state, the machine id) are kept.</summary>
    public static void Create(string dir)
    {
        foreach (var name in LedNames)
        {
            string led = Path.Combine(dir, "sys/class/leds", name);
            Directory.CreateDirectory(led);
            CreateFile(Path.Combine(led, "brightness"), "0\n");
            CreateFile(Path.Combine(led, "max_brightness"), "1\n");
            CreateFile(Path.Combine(led, "trigger"), "none\n");
        }
        Directory.CreateDirectory(Path.Combine(dir, "dev/input"));
        CreateFile(InputDevicePath(dir), "");
        Directory.CreateDirectory(Path.Combine(dir, "sys/class/input/event0/device"));
        CreateFile(Path.Combine(dir, "sys/class/input/event0/device/name"), InputDeviceName + "\n");
        Directory.CreateDirectory(DisksDir(dir));
        CreateFile(UeventsPath(dir), "");
        Directory.CreateDirectory(Path.Combine(dir, "etc"));
        CreateFile(Path.Combine(dir, "etc/machine-id"), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) + "\n");
    }

    /// <summary>True when <paramref name="dir"/> has been laid out by <see cref="Create"/>.</summary>
    public static bool Exists(string dir) => File.Exists(InputDevicePath(dir)) && Directory.Exists(DisksDir(dir));

    /// <summary>Holds the reset button for <paramref name="hold"/>: appends the down
    /// event with the real time, sleeps, appends the up event.</summary>
    public static void Press(string dir, TimeSpan hold, CancellationToken cancel = default)
    {
        RequireBoard(dir);
        var down = DateTimeOffset.UtcNow;
        WriteKey(dir, pressed: true, down);
        cancel.WaitHandle.WaitOne(hold);
        WriteKey(dir, pressed: false, DateTimeOffset.UtcNow);
    }

    /// <summary>Appends one key edge (EV_KEY + SYN_REPORT, as the kernel sends) stamped <paramref name="at"/>.</summary>
    public static void WriteKey(string dir, bool pressed, DateTimeOffset at)
    {
        int size = InputEvent.NativeSize;
        var bytes = new byte[size * 2];
        new InputEvent(at, InputEvent.EV_KEY, ResetKeyCode, pressed ? 1 : 0).Encode(bytes, Environment.Is64BitProcess);
        new InputEvent(at, InputEvent.EV_SYN, InputEvent.SYN_REPORT, 0).Encode(bytes.AsSpan(size), Environment.Is64BitProcess);
        using var f = new FileStream(InputDevicePath(dir), FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        f.Write(bytes);
    }

    /// <summary>Plugs <paramref name="path"/> in as a USB disk: writes its descriptor and
    /// appends an "add" uevent. Returns what the watcher will report.</summary>
    public static DiskInfo Plug(string dir, string path)
    {
        RequireBoard(dir);
        string full = Normalize(path);
        if (!Directory.Exists(full))
            throw new HalException($"sim plug: {path} is not a directory");
        if (FindByPath(dir, full) is { } existing)
            throw new HalException($"sim plug: {path} is already plugged in as {existing.Device}");
        string baseName = SafeName(Path.GetFileName(full));
        string device = ReadDescriptor(dir, baseName) is null ? baseName : $"{baseName}-{Hash(full)[..6]}";
        long size = 0;
        try { size = new DriveInfo(full).TotalSize; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { }
        var d = new SimDiskDescriptor
        {
            Device = device,
            Path = full,
            FsUuid = UuidFor(full),
            Label = Path.GetFileName(full),
            SizeBytes = size,
        };
        string descriptor = DescriptorPath(dir, device);
        File.WriteAllText(descriptor + ".tmp", SimJson.Write(d));
        File.Move(descriptor + ".tmp", descriptor, overwrite: true);
        UeventFileTail.Append(UeventsPath(dir), Event("add", device));
        return new DiskInfo { Device = device, FsType = d.FsType, FsUuid = d.FsUuid, Label = d.Label, SizeBytes = size };
    }

    /// <summary>Yanks the disk plugged from <paramref name="path"/>: removes its descriptor
    /// and appends a "remove" uevent.</summary>
    public static DiskInfo Unplug(string dir, string path)
    {
        RequireBoard(dir);
        string full = Normalize(path);
        var d = FindByPath(dir, full) ?? throw new HalException($"sim unplug: {path} is not plugged in");
        File.Delete(DescriptorPath(dir, d.Device));
        UeventFileTail.Append(UeventsPath(dir), Event("remove", d.Device));
        return new DiskInfo { Device = d.Device, FsType = d.FsType, FsUuid = d.FsUuid, Label = d.Label, SizeBytes = d.SizeBytes };
    }

    /// <summary>Every LED of the board with the pattern its files show, by name.</summary>
    public static IReadOnlyList<LedReading> ReadLeds(string dir)
    {
        string leds = Path.Combine(dir, "sys/class/leds");
        if (!Directory.Exists(leds))
            throw new HalException($"sim leds: {leds} not found (is {dir} a simulated board?)");
        return Directory.GetDirectories(leds).Order(StringComparer.Ordinal).Select(ledDir =>
        {
            var (pattern, description) = SysfsLed.ReadPattern(ledDir);
            return new LedReading(Path.GetFileName(ledDir), pattern, description);
        }).ToArray();
    }

    /// <summary>The stable UUID a plugged directory gets: SHA-256 of its full path, shaped as a UUID.</summary>
    public static string UuidFor(string path)
    {
        string h = Hash(Normalize(path));
        return $"{h[..8]}-{h[8..12]}-{h[12..16]}-{h[16..20]}-{h[20..32]}";
    }

    internal static IReadOnlyList<SimDiskDescriptor> ReadDescriptors(string dir)
    {
        string disks = DisksDir(dir);
        if (!Directory.Exists(disks))
            return [];
        return Directory.GetFiles(disks, "*.json").Order(StringComparer.Ordinal)
            .Select(SimJson.Read).OfType<SimDiskDescriptor>().ToArray();
    }

    internal static SimDiskDescriptor? ReadDescriptor(string dir, string device) =>
        SafeName(device) == device ? SimJson.Read(DescriptorPath(dir, device)) : null;

    private static SimDiskDescriptor? FindByPath(string dir, string fullPath) =>
        ReadDescriptors(dir).FirstOrDefault(d => d.Path == fullPath);

    private static string DescriptorPath(string dir, string device) => Path.Combine(DisksDir(dir), device + ".json");

    private static Uevent Event(string action, string device)
    {
        string devPath = $"/devices/virtual/sim/block/{device}";
        return new Uevent(action, devPath, new Dictionary<string, string>
        {
            ["ACTION"] = action,
            ["DEVPATH"] = devPath,
            ["SUBSYSTEM"] = "block",
            ["DEVNAME"] = device,
            ["DEVTYPE"] = "disk",
            ["SEQNUM"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    private static void RequireBoard(string dir)
    {
        if (!Exists(dir))
            throw new HalException($"{dir} is not a simulated board (run the agent with --board sim --sim-dir {dir} first, or SimBoard.Create)");
    }

    private static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Device names become file names: keep letters, digits, '-', '_', '.'.</summary>
    private static string SafeName(string name)
    {
        var s = string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')).Trim('.');
        return s.Length == 0 ? "disk" : s;
    }

    private static void CreateFile(string path, string content)
    {
        if (!File.Exists(path))
            File.WriteAllText(path, content);
    }
}
