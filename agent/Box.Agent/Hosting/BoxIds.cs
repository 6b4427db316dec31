using System.Globalization;
using System.Security.Cryptography;
using Box.Platform;
using Box.Protocol.Topics;

namespace Box.Agent.Hosting;

/// <summary>Where a box id came from, for the log line at start.</summary>
public sealed record BoxIdentity(string Id, string Source);

/// <summary>The box id in MQTT topics when none is configured. Boxes whose serial
/// cannot be read must not share one id (they would share topics), so the id is,
/// in order: the board serial; the first permanent MAC address of a physical
/// interface; <c>/etc/machine-id</c>; an id generated once and kept in
/// <c>{dataDir}/box-id</c>. Every path is under a filesystem root, so tests and the
/// simulated board resolve over a directory.</summary>
public static class BoxIds
{
    public const string GeneratedIdFile = "box-id";

    /// <param name="serial">The board's serial (<c>ISystem.SerialNumber</c>); "unknown" or blank = none.</param>
    public static BoxIdentity Resolve(string root, string dataDir, string? serial)
    {
        if (IsUsable(serial) && FromSerial(serial!) is var fromSerial && fromSerial != "box")
            return new BoxIdentity(fromSerial, "serial");
        if (PermanentMac(root) is { } mac)
            return new BoxIdentity(mac.Address, $"mac {mac.Interface}");
        if (ReadTrimmed(Path.Combine(root, "etc/machine-id")) is { } machineId && IsUsable(machineId))
            return new BoxIdentity(FromSerial(machineId), "machine-id");
        return new BoxIdentity(Generated(dataDir), "generated");
    }

    public static string FromSerial(string serial)
    {
        var safe = new string([.. serial.Trim().Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')]);
        if (safe.Length > BoxId.MaxLength) safe = safe[..BoxId.MaxLength];
        return safe.Length == 0 ? "box" : safe.ToLowerInvariant();
    }

    // "uninitialized" is what systemd leaves for first boot; zeros are placeholders.
    private static bool IsUsable(string? value) =>
        value is not null && value.Trim() is { Length: > 0 } v && v != "unknown" && v != "uninitialized" && v.Trim('0').Length > 0;

    /// <summary>The first interface (by name) with a hardware MAC: has a device behind it
    /// (virtual ones — bridges, veth, tun — have none), the kernel says the address is
    /// permanent, not all zeros and not locally administered (random or assigned by software).</summary>
    private static (string Interface, string Address)? PermanentMac(string root)
    {
        string net = Path.Combine(root, "sys/class/net");
        string[] interfaces;
        try { interfaces = Directory.GetFileSystemEntries(net); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        foreach (var dir in interfaces.Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(dir);
            if (name == "lo" || !Path.Exists(Path.Combine(dir, "device")))
                continue;
            // addr_assign_type 0 = NET_ADDR_PERM; 1 random, 2 stolen, 3 set by userspace.
            if (ReadTrimmed(Path.Combine(dir, "addr_assign_type")) is { } type && type != "0")
                continue;
            if (ReadTrimmed(Path.Combine(dir, "address")) is not { } text || ParseMac(text) is not { } mac)
                continue;
            if (mac.All(b => b == 0) || (mac[0] & 0x02) != 0)
                continue;
            return (name, Convert.ToHexStringLower(mac));
        }
        return null;
    }

    private static byte[]? ParseMac(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 6)
            return null;
        var mac = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            if (!byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out mac[i]))
                return null;
        }
        return mac;
    }

    /// <summary>The id kept in the data dir, made (random) and written atomically on first use.</summary>
    private static string Generated(string dataDir)
    {
        string path = Path.Combine(dataDir, GeneratedIdFile);
        if (ReadTrimmed(path) is { } kept && FromSerial(kept) == kept && kept != "box")
            return kept;
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        AtomicFile.WriteText(path, id + "\n");
        return id;
    }

    private static string? ReadTrimmed(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
