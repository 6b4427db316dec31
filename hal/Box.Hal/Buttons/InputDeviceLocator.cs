namespace Box.Hal.Buttons;

/// <summary>Finds an evdev node by the input device's name (e.g. "gpio-keys"), by
/// scanning <c>{root}/sys/class/input/event*/device/name</c>, so a profile does not
/// depend on probe order.</summary>
public static class InputDeviceLocator
{
    /// <summary>Path of <c>{root}/dev/input/eventN</c> for the first device named
    /// <paramref name="deviceName"/>; throws <see cref="HalException"/> naming it when absent.</summary>
    public static string FindByName(string root, string deviceName)
    {
        string classDir = Path.Combine(root, "sys/class/input");
        var seen = new List<string>();
        if (Directory.Exists(classDir))
        {
            // eventN in numeric order, so the choice is stable when names repeat.
            foreach (var dir in Directory.GetDirectories(classDir, "event*")
                         .OrderBy(d => int.TryParse(Path.GetFileName(d).AsSpan(5), out int n) ? n : int.MaxValue))
            {
                string? name = null;
                try { name = File.ReadAllText(Path.Combine(dir, "device/name")).Trim(); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
                if (name is null)
                    continue;
                if (name == deviceName)
                    return Path.Combine(root, "dev/input", Path.GetFileName(dir));
                seen.Add(name);
            }
        }
        throw new HalException($"input device '{deviceName}' not found under {classDir}"
                               + (seen.Count > 0 ? $" (present: {string.Join(", ", seen.Distinct())})" : ""));
    }

    /// <summary>Resolves a profile's device path ("/dev/input/event0") under <paramref name="root"/>.</summary>
    public static string UnderRoot(string root, string devicePath) =>
        Path.Combine(root, devicePath.TrimStart('/'));
}
