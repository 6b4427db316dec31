using Box.Store.Ingest;

namespace Box.Store.Tests.Ingest;

public class RequestValidationTests
{
    private static readonly byte[] Chunk = IngestScenario.Bytes(1000, seed: 7);

    [Theory]
    [InlineData("ftp://127.0.0.1/chunk", "http or https")]
    [InlineData("file:///etc/passwd", "http or https")]
    [InlineData("/chunk", "http or https")]
    [InlineData("", "http or https")]
    [InlineData("http://", "http or https")]
    public async Task Urls_other_than_absolute_http_or_https_are_bad_requests(string url, string expected)
    {
        await using var s = new IngestScenario(Respond.Content(Chunk));
        var result = await s.Downloader.DownloadAsync(s.RequestFor(Chunk) with { Url = url }, null, default);
        Assert.Equal(DownloadOutcome.BadRequest, result.Outcome);
        Assert.Equal("bad_request", result.ErrorCode);
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
        Assert.Equal(0, result.Attempts);
    }

    [Theory]
    [InlineData(0L, "size must be positive")]
    [InlineData(-1L, "size must be positive")]
    [InlineData((16L << 20) + 1, "above the largest chunk")]
    [InlineData(long.MaxValue, "above the largest chunk")]
    public async Task Sizes_outside_1_to_the_maximum_are_bad_requests_and_nothing_is_fetched(long size, string expected)
    {
        await using var s = new IngestScenario(Respond.Content(Chunk));
        var result = await s.Downloader.DownloadAsync(s.RequestFor(Chunk) with { Size = size }, null, default);
        Assert.Equal(DownloadOutcome.BadRequest, result.Outcome);
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
        Assert.Empty(s.Origin.Requests);
        Assert.False(File.Exists(s.TempPath));
    }

    [Theory]
    [InlineData("")]
    [InlineData("tmp/chunk.part")]
    [InlineData("/tmp/")]
    public async Task The_temp_path_must_be_an_absolute_file_path(string path)
    {
        await using var s = new IngestScenario(Respond.Content(Chunk));
        var result = await s.Downloader.DownloadAsync(s.RequestFor(Chunk) with { TempPath = path }, null, default);
        Assert.Equal(DownloadOutcome.BadRequest, result.Outcome);
        Assert.Contains("temp path", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_url_is_quoted_shortened()
    {
        var url = "gopher://" + new string('x', 5000);
        var request = new DownloadRequest(url, ChunkHash.Of(Chunk), 1000, "/tmp/x");
        Assert.False(request.TryValidate(new DownloaderOptions(), out _, out var problem));
        Assert.True(problem.Length < 300, problem);
    }

    [Fact]
    public void Unusable_options_are_refused_naming_the_option()
    {
        var e = Assert.Throws<ArgumentException>(() => new ChunkDownloader(new DownloaderOptions { MaxAttempts = 0 }));
        Assert.Contains("MaxAttempts", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new ChunkDownloader(new DownloaderOptions { WriteBytesPerSecond = -1 }));
        Assert.Contains("WriteBytesPerSecond", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_user_agent_names_the_agent_and_its_version()
    {
        Assert.Matches(@"^box-agent/\d+\.\d+\.\d+", DownloaderOptions.DefaultUserAgent);
        Assert.DoesNotContain("+", DownloaderOptions.DefaultUserAgent, StringComparison.Ordinal);
    }
}
