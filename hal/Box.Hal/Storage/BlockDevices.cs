using System.Globalization;

namespace Box.Hal.Storage;

/// <summary>A block device as sysfs describes it.</summary>
public sealed record BlockDevice(string Name, string? Parent, long SizeBytes, bool Removable, IReadOnlyList<string> Partitions);

/// <summary>Reads <c>{root}/sys/block/*</c>: disks, their partitions, sizes (sysfs
/// counts 512-byte sectors whatever the device's sector size) and removable flag.
/// A disk whose directory vanishes during the walk is left out; other I/O errors
/// (permissions) are thrown for the caller to report.</summary>
public sealed class BlockDevices
{
    private readonly string _root;
    private readonly IReadOnlyList<string> _ignore;

    /// <param name="ignorePatterns">Device name globs to skip ("loop*", "mmcblk*", …), from the profile.</param>
    public BlockDevices(string root, IReadOnlyList<string> ignorePatterns)
    {
        _root = root;
        _ignore = ignorePatterns;
    }

    public bool IsIgnored(string name) => _ignore.Any(p => Glob.Matches(p, name));

    /// <summary>Disks not ignored, with their partitions.</summary>
    public IReadOnlyList<BlockDevice> ScanDisks()
    {
        string dir = Path.Combine(_root, "sys/block");
        if (!Directory.Exists(dir))
            return [];
        var disks = new List<BlockDevice>();
        foreach (var diskDir in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(diskDir);
            if (IsIgnored(name))
                continue;
            List<string> partitions;
            try
            {
                partitions = Directory.GetDirectories(diskDir)
                    .Where(p => File.Exists(Path.Combine(p, "partition")))
                    .Select(Path.GetFileName)
                    .OfType<string>()
                    .Order(StringComparer.Ordinal)
                    .ToList();
            }
            catch (DirectoryNotFoundException)
            {
                continue; // unplugged during the walk: its remove uevent follows
            }
            disks.Add(new BlockDevice(name, null, SizeOf(diskDir), ReadLong(Path.Combine(diskDir, "removable")) == 1, partitions));
        }
        return disks;
    }

    /// <summary>Looks one device (disk or partition) up by kernel name; null when sysfs does not know it.</summary>
    public BlockDevice? Find(string name)
    {
        foreach (var disk in ScanDisksUnfiltered())
        {
            if (disk.Name == name)
                return disk;
            if (disk.Partitions.Contains(name))
                return new BlockDevice(name, disk.Name, SizeOf(Path.Combine(_root, "sys/block", disk.Name, name)), disk.Removable, []);
        }
        return null;
    }

    private IEnumerable<BlockDevice> ScanDisksUnfiltered() =>
        new BlockDevices(_root, []).ScanDisks();

    private static long SizeOf(string sysDir) => (ReadLong(Path.Combine(sysDir, "size")) ?? 0) * 512;

    private static long? ReadLong(string path)
    {
        try
        {
            return long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>Shell-style globs with * and ? (device names have no path separators).</summary>
internal static class Glob
{
    public static bool Matches(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
            p++;
        return p == pattern.Length;
    }
}
