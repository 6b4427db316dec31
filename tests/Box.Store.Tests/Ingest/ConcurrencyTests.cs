using Box.Store.Ingest;

namespace Box.Store.Tests.Ingest;

public class ConcurrencyTests
{
    [Fact]
    public async Task Downloads_beyond_the_limit_wait_for_a_free_slot()
    {
        var chunk = IngestScenario.Bytes(256 << 10, seed: 10);
        var release = new TaskCompletionSource();
        OriginHandler held = async (request, c) =>
        {
            await release.Task; // every answer waits until the test has seen the queue
            await Respond.Content(chunk)(request, c);
        };
        var options = IngestScenario.FastRetries with { MaxConcurrentDownloads = 2 };
        await using var s = new IngestScenario(held, options);
        using var dir = new TempDir("ingest-many");
        var downloads = Enumerable.Range(0, 5).Select(i => s.Downloader.DownloadAsync(
            s.RequestFor(chunk) with { TempPath = dir[$"c{i}.part"] }, null, default)).ToList();
        await Eventually.TrueAsync(() => s.Origin.Requests.Count == 2, "two requests at the origin");
        Assert.All(downloads, d => Assert.False(d.IsCompleted));
        // The gate comes before the temp file: the waiting three have none yet.
        Assert.Equal(["c0.part", "c1.part"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
        release.SetResult();
        var results = await Task.WhenAll(downloads);
        Assert.All(results, r => Assert.Equal(DownloadOutcome.Verified, r.Outcome));
        Assert.Equal(5, s.Origin.Requests.Count);
    }
}
