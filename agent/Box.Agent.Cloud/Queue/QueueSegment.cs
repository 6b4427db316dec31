using System.Globalization;

namespace Box.Agent.Cloud.Queue;

/// <summary>One append-only file of CRC-framed queue records
/// (<c>seg-NNNNNNNN.log</c>) and how much of it is still live.</summary>
internal sealed class QueueSegment(long number, string path, FileStream stream)
{
    const string Prefix = "seg-";
    const string Suffix = ".log";

    public long Number { get; } = number;
    public string Path { get; } = path;
    /// <summary>Replaced when a compaction renames a rewritten file over this one.</summary>
    public FileStream Stream { get; set; } = stream;
    /// <summary>Bytes in the file.</summary>
    public long Length { get; set; }
    public int Live { get; set; }
    public long LiveBytes { get; set; }
    /// <summary>Bytes of dropped or acknowledged records still in the file.</summary>
    public long DeadBytes => Length - LiveBytes;

    public static string FileName(long number) => $"{Prefix}{number:D8}{Suffix}";

    /// <summary>Where a compaction writes before it renames over <see cref="Path"/>;
    /// not a segment name, so a copy left by a power cut is ignored and deleted.</summary>
    public string CompactionPath => System.IO.Path.ChangeExtension(Path, ".compacting");

    public static FileStream OpenStream(string path, FileMode mode) =>
        new(path, mode, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);

    /// <summary>The segment files in <paramref name="directory"/>, oldest first.</summary>
    public static List<(long Number, string Path)> List(string directory)
    {
        var list = new List<(long, string)>();
        foreach (var path in Directory.EnumerateFiles(directory, Prefix + "*" + Suffix))
        {
            var name = System.IO.Path.GetFileName(path);
            if (!name.EndsWith(Suffix, StringComparison.Ordinal))
                continue;
            var digits = name[Prefix.Length..^Suffix.Length];
            if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                list.Add((number, path));
        }
        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return list;
    }

    /// <summary>Compaction copies a power cut left behind.</summary>
    public static IEnumerable<string> LeftoverCompactions(string directory) =>
        Directory.EnumerateFiles(directory, Prefix + "*.compacting");
}
