using System.Runtime.InteropServices;

namespace Box.Agent.Persistence;

/// <summary>Whole-file writes that survive a power cut: the old content or the
/// new one is on disk, never a torn mix. temp file → fsync → rename → fsync dir.</summary>
public static partial class AtomicFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = $"{full}.tmp-{Environment.ProcessId}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        SyncDirectory(dir);
    }

    public static void WriteAllText(string path, string content) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(content));

    /// <summary>Deletes <paramref name="path"/> durably (the directory entry is synced).</summary>
    public static void Delete(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) return;
        File.Delete(full);
        SyncDirectory(Path.GetDirectoryName(full)!);
    }

    /// <summary>Makes a rename or delete inside <paramref name="dir"/> durable.</summary>
    public static void SyncDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        // .NET cannot open a directory as a FileStream, so go to libc.
        int fd = Open(dir, O_RDONLY);
        if (fd < 0)
            throw new IOException($"{dir}: cannot open directory to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"{dir}: fsync failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    // A plain read-only open works on a directory; O_DIRECTORY's value differs
    // between x64 and arm64, so it is left out.
    private const int O_RDONLY = 0;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
