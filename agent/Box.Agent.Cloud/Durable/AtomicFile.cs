namespace Box.Agent.Cloud.Durable;

/// <summary>Whole-file replacement that survives a power cut: the old or the
/// new content, never a mix (write temp, fsync, rename, fsync directory).</summary>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Makes a rename or create in <paramref name="directory"/> durable
    /// (fsync on the directory; .NET cannot open a directory as a file).</summary>
    public static void SyncDirectory(string directory)
    {
        var fd = Posix.Open(directory, Posix.ReadOnly);
        if (fd < 0)
            return; // not fatal: the rename is atomic, only its durability is delayed
        _ = Posix.Fsync(fd);
        _ = Posix.Close(fd);
    }
}
