using System.Globalization;

namespace Box.Ctl.Output;

/// <summary>docs/contract.md times are Unix seconds; people read UTC ISO 8601.</summary>
public static class UnixTime
{
    public static string Format(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(unixSeconds, -62135596800L, 253402300799L))
            .ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Format(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
