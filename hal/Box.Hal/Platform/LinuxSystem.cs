using Box.Platform;
using System.Globalization;
using Box.Hal.Interop;

namespace Box.Hal.Platform;

/// <summary>The OS side of a Linux board, read under a filesystem root. When the root
/// is not "/" (the simulated board, a test tree) Reboot is recorded in
/// <c>{root}/run/reboot-requested</c> instead of rebooting the host.</summary>
public sealed class LinuxSystem : ISystem
{
    private readonly string _root;
    private readonly TimeProvider _time;
    private string? _serial;

    public LinuxSystem(string root = "/", TimeProvider? time = null)
    {
        _root = root;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>True when Reboot would really reboot this machine.</summary>
    public bool IsHostRoot => Path.GetFullPath(_root) == "/";

    public TimeSpan Uptime
    {
        get
        {
            // "12345.67 54321.00": seconds since boot, then idle seconds.
            var text = ReadText("proc/uptime");
            if (text is not null && double.TryParse(text.Split(' ', 2)[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
                return TimeSpan.FromSeconds(seconds);
            return TimeSpan.FromMilliseconds(Environment.TickCount64); // CLOCK_MONOTONIC-based: close to uptime
        }
    }

    /// <summary>What <see cref="SerialNumber"/> reads when the hardware has none.</summary>
    public const string UnknownSerial = "unknown";

    public string SerialNumber => _serial ??= ReadSerial();

    private string ReadSerial()
    {
        // Device tree first (Amlogic and Raspberry Pi both fill it), then the Pi's
        // cpuinfo line. Not /etc/machine-id: an image flashed to many boxes may carry
        // the same one, so the agent ranks it below a MAC address (BoxIds).
        foreach (var path in new[] { "proc/device-tree/serial-number", "sys/firmware/devicetree/base/serial-number" })
        {
            if (ReadText(path)?.Trim('\0', ' ', '\n') is { Length: > 0 } s)
                return s;
        }
        if (ReadText("proc/cpuinfo") is { } cpuinfo)
        {
            foreach (var line in cpuinfo.Split('\n'))
            {
                var parts = line.Split(':', 2);
                if (parts.Length == 2 && parts[0].Trim() == "Serial" && parts[1].Trim() is { Length: > 0 } v && v.Trim('0').Length > 0)
                    return v;
            }
        }
        return UnknownSerial;
    }

    public IReadOnlyDictionary<string, double> ReadTemperatures()
    {
        var result = new SortedDictionary<string, double>(StringComparer.Ordinal);
        string dir = Path.Combine(_root, "sys/class/thermal");
        if (!Directory.Exists(dir))
            return result;
        foreach (var zone in Directory.GetDirectories(dir, "thermal_zone*").Order(StringComparer.Ordinal))
        {
            var type = ReadFile(Path.Combine(zone, "type"))?.Trim();
            var temp = ReadFile(Path.Combine(zone, "temp"))?.Trim();
            if (string.IsNullOrEmpty(type) || !long.TryParse(temp, NumberStyles.Integer, CultureInfo.InvariantCulture, out long milli))
                continue; // a zone whose sensor is asleep or absent reads EINVAL/EAGAIN
            string key = type;
            for (int i = 1; result.ContainsKey(key); i++)
                key = $"{type}#{i}";
            result[key] = milli / 1000.0;
        }
        return result;
    }

    public void Reboot()
    {
        if (!IsHostRoot)
        {
            string path = Path.Combine(_root, "run/reboot-requested");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) + "\n");
            return;
        }
        Libc.Sync();
        if (Libc.Reboot(Libc.LINUX_REBOOT_CMD_RESTART) != 0)
            throw new HalException($"reboot: {Libc.LastErrorText()}");
    }

    private string? ReadText(string relative) => ReadFile(Path.Combine(_root, relative));

    private static string? ReadFile(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
