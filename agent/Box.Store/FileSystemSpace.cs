using Box.Platform;

namespace Box.Store;

/// <summary>Size and state of the filesystem holding a path (statvfs(3)).</summary>
public readonly record struct FileSystemSpace(long TotalBytes, long AvailableBytes, bool ReadOnly)
{
    public static FileSystemSpace Of(string path)
    {
        if (Libc.StatVfsOf(path, out var s) != 0)
            throw new StoreUnavailableException(path, $"statvfs failed ({Libc.LastErrorText()})");
        return new((long)(s.Blocks * s.FragmentSize), (long)(s.BlocksAvailable * s.FragmentSize), (s.Flags & Libc.ST_RDONLY) != 0);
    }
}
