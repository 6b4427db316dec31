using System.Text;

namespace Box.Hal.Storage;

/// <summary>Parses NETLINK_KOBJECT_UEVENT payloads: "add@/devices/…\0ACTION=add\0
/// SUBSYSTEM=block\0DEVNAME=sda1\0…". udev's re-broadcasts (which start with
/// "libudev\0" and a binary header) and anything malformed yield null — a
/// stray datagram must never take the watcher down.</summary>
public static class UeventParser
{
    private static readonly byte[] LibudevMagic = "libudev\0"u8.ToArray();

    public static Uevent? Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty || payload.StartsWith(LibudevMagic))
            return null;
        int end = payload.IndexOf((byte)0);
        var header = Decode(end < 0 ? payload : payload[..end]);
        int at = header.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == header.Length - 1 || header[at + 1] != '/')
            return null;
        string action = header[..at];
        string devPath = header[(at + 1)..];
        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = end < 0 ? [] : payload[(end + 1)..];
        while (!rest.IsEmpty)
        {
            int next = rest.IndexOf((byte)0);
            var field = next < 0 ? rest : rest[..next];
            rest = next < 0 ? [] : rest[(next + 1)..];
            if (field.IsEmpty)
                continue;
            string text = Decode(field);
            int eq = text.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                return null; // not a uevent after all
            props[text[..eq]] = text[(eq + 1)..];
        }
        // The header must agree with the properties when they carry the same facts.
        if (props.TryGetValue("ACTION", out var a) && a != action)
            return null;
        if (props.TryGetValue("DEVPATH", out var p) && p != devPath)
            return null;
        if (action.Any(c => !char.IsAsciiLetterLower(c)))
            return null;
        return new Uevent(action, devPath, props);
    }

    /// <summary>Kernel wire format of <paramref name="ev"/>: header and every property
    /// NUL-terminated (used by the simulated board).</summary>
    public static byte[] Format(Uevent ev)
    {
        var sb = new StringBuilder();
        sb.Append(ev.Action).Append('@').Append(ev.DevPath).Append('\0');
        foreach (var (k, v) in ev.Properties)
            sb.Append(k).Append('=').Append(v).Append('\0');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
