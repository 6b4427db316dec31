using Box.Store.Ingest;

namespace Box.Store.Tests.Ingest;

public class DiskErrorsTests
{
    // On Linux .NET puts the errno of a failed write in IOException.HResult
    // (a write to /dev/full throws HResult 28).
    [Theory]
    [InlineData(28, DownloadOutcome.DiskFull)]   // ENOSPC
    [InlineData(122, DownloadOutcome.DiskFull)]  // EDQUOT
    [InlineData(5, DownloadOutcome.NoDisk)]      // EIO
    [InlineData(19, DownloadOutcome.NoDisk)]     // ENODEV
    [InlineData(30, DownloadOutcome.NoDisk)]     // EROFS: remounted read-only after errors
    [InlineData(107, DownloadOutcome.NoDisk)]    // ENOTCONN: the FUSE driver died
    public void Errno_decides_between_full_and_gone(int errno, DownloadOutcome expected)
    {
        var failure = DiskErrors.Classify(new IOException("x", errno), "write", "/d/tmp/c");
        Assert.Equal(expected, failure.Outcome);
        Assert.False(failure.Transient);
        Assert.Contains($"write /d/tmp/c: ", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"errno {errno}", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_directory_or_no_permission_is_no_disk()
    {
        Assert.Equal(DownloadOutcome.NoDisk, DiskErrors.Classify(new DirectoryNotFoundException("gone"), "create", "/d").Outcome);
        Assert.Equal(DownloadOutcome.NoDisk, DiskErrors.Classify(new UnauthorizedAccessException("ro"), "create", "/d").Outcome);
    }
}
