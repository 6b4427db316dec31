using Box.Platform;

namespace Box.Store;

/// <summary>Classifies the exceptions .NET raises for failed file calls. On
/// Linux an <see cref="IOException"/> for an errno .NET has no type for carries
/// the raw errno as its HResult (ENOSPC, EROFS, EIO).</summary>
internal static class IoErrors
{
    public static bool IsIo(Exception e) => e is IOException or UnauthorizedAccessException;

    public static int Errno(Exception e) => e is IOException { HResult: > 0 and < 4096 } io ? io.HResult : 0;

    public static bool IsNoSpace(Exception e) => Errno(e) == Libc.ENOSPC || e.Message.Contains("No space left", StringComparison.Ordinal);

    public static bool IsReadOnly(Exception e) => Errno(e) == Libc.EROFS || e.Message.Contains("Read-only file system", StringComparison.Ordinal);

    /// <summary>Wraps <paramref name="e"/> as the specific store failure it is.</summary>
    public static StoreException Wrap(string path, string step, Exception e)
    {
        if (e is StoreException store)
            return store;
        if (IsNoSpace(e))
            return new StoreFullException(path, $"{step}: filesystem full (ENOSPC)", e);
        if (IsReadOnly(e))
            return new StoreUnavailableException(path, $"{step}: filesystem is read-only", e);
        if (e is DirectoryNotFoundException)
            return new StoreUnavailableException(path, $"{step}: store directory is gone (disk removed?)", e);
        if (Errno(e) == Libc.EIO)
            return new StoreUnavailableException(path, $"{step}: I/O error on the disk", e);
        return new StoreException(path, step, e);
    }
}
