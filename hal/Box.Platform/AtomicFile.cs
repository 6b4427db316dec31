using System.Runtime.InteropServices;
using System.Text;

namespace Box.Platform;

/// <summary>
/// Whole-file replacement that survives a power cut: the old content or the
/// new one is on disk, never a torn mix. One rule for every caller: write a
/// temp file beside the target, fsync it, rename it over the target, fsync
/// the directory. Any failure throws <see cref="DurableWriteException"/>
/// naming the step, and the temp file is removed.
/// </summary>
public static class AtomicFile
{
    /// <summary>Suffix of the temp file beside the target; one per target, so
    /// a leftover from a power cut is simply overwritten by the next write.</summary>
    public const string TempSuffix = ".tmp";

    public static void Write(string path, ReadOnlyMemory<byte> content) =>
        Write(path, stream => stream.Write(content.Span));

    public static void WriteText(string path, string content) => Write(path, Encoding.UTF8.GetBytes(content));

    /// <summary>Streams the new content through <paramref name="writeContent"/>
    /// (for files too large to build in memory) under the same rule.</summary>
    public static void Write(string path, Action<FileStream> writeContent)
    {
        var full = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(full)!;
        var temp = full + TempSuffix;
        var step = "create directory";
        try
        {
            Directory.CreateDirectory(dir);
            step = "write temp file";
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                writeContent(stream);
                step = "fsync temp file";
                stream.Flush(flushToDisk: true);
            }
            step = "rename temp file";
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw e as DurableWriteException ?? new DurableWriteException(full, step, e);
        }
        SyncDirectory(dir);
    }

    /// <summary>Deletes <paramref name="path"/> durably; a missing file is fine.</summary>
    public static void Delete(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            if (!File.Exists(full)) return;
            File.Delete(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DurableWriteException(full, "delete", e);
        }
        SyncDirectory(System.IO.Path.GetDirectoryName(full)!);
    }

    /// <summary>Makes a create, rename or delete inside <paramref name="directory"/>
    /// durable. .NET cannot open a directory as a FileStream, so this goes to libc.</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = Libc.Open(directory, Libc.O_RDONLY);
        if (fd < 0)
            throw new DurableWriteException(directory, $"open directory ({Libc.LastErrorText()})");
        try
        {
            if (Libc.Fsync(fd) != 0)
                throw new DurableWriteException(directory, $"fsync directory ({Libc.LastErrorText()})");
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
