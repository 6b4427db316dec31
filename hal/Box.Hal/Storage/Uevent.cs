namespace Box.Hal.Storage;

/// <summary>One kernel uevent: "ACTION@DEVPATH" plus KEY=VALUE properties.</summary>
public sealed record Uevent(string Action, string DevPath, IReadOnlyDictionary<string, string> Properties)
{
    public string? Subsystem => Get("SUBSYSTEM");
    /// <summary>Device node name relative to /dev, e.g. "sda1".</summary>
    public string? DevName => Get("DEVNAME");
    /// <summary>"disk" or "partition" for block devices.</summary>
    public string? DevType => Get("DEVTYPE");

    public string? Get(string key) => Properties.TryGetValue(key, out var v) ? v : null;
}
