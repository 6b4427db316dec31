using System.Runtime.InteropServices;

namespace Box.Store.Ingest;

/// <summary>Turns a failure of the temp file into the contract's terms. Only
/// ENOSPC/EDQUOT mean "full"; everything else the USB disk can do to a write
/// (vanished directory, EIO, a FUSE mount that died, a read-only remount after
/// errors) means the disk is no longer usable, which is what no_disk tells
/// the cloud.</summary>
internal static class DiskErrors
{
    // Linux errno values, shared by x86_64 and arm64. On Unix .NET puts the
    // errno of a failed file call in IOException.HResult.
    private const int ENOSPC = 28;
    private const int EDQUOT = 122;

    public static bool IsDiskError(Exception e) => e is IOException or UnauthorizedAccessException;

    public static DownloadFailure Classify(Exception e, string step, string path)
    {
        int errno = e is IOException io && io.HResult > 0 ? io.HResult : 0;
        var what = errno > 0 ? Marshal.GetPInvokeErrorMessage(errno) + $" (errno {errno})" : e.Message;
        var outcome = errno is ENOSPC or EDQUOT ? DownloadOutcome.DiskFull : DownloadOutcome.NoDisk;
        return new DownloadFailure(outcome, $"{step} {path}: {what}", inner: e);
    }
}
