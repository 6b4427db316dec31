using System.Diagnostics;
using Box.Store.Ingest;

namespace Box.Store.Tests.Ingest;

public class DiskOutcomeTests
{
    private static readonly byte[] Chunk = IngestScenario.Bytes(2 << 20, seed: 6);

    [Fact]
    public async Task A_vanished_temp_directory_is_no_disk()
    {
        await using var s = new IngestScenario(Respond.Content(Chunk));
        Directory.Delete(s.TempDirectory);
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.NoDisk, result.Outcome);
        Assert.Equal("no_disk", result.ErrorCode);
        Assert.Contains(s.TempPath, result.Message, StringComparison.Ordinal);
        Assert.Empty(s.Origin.Requests); // nothing fetched for a disk that is not there
    }

    [Fact]
    public async Task A_full_disk_is_disk_full_before_the_chunk_is_fetched()
    {
        await using var s = new IngestScenario(Respond.Content(Chunk));
        // A 1 MiB tmpfs over tmp/ stands in for a full USB disk; mounting
        // needs root, which the test machines and CI have.
        Assert.True(Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", s.TempDirectory), "mount a 1 MiB tmpfs (run the tests as root)");
        try
        {
            var result = await s.DownloadAsync(Chunk);
            Assert.True(result.Outcome == DownloadOutcome.DiskFull, result.Message);
            Assert.Equal("disk_full", result.ErrorCode);
            Assert.Contains("errno 28", result.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(s.TempPath));
        }
        finally
        {
            Run("umount", s.TempDirectory);
        }
    }

    private static bool Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }
}
