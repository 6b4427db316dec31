using System.Net;
using System.Net.Sockets;
using Box.Store.Ingest;

namespace Box.Store.Tests.Ingest;

public class OriginErrorTests
{
    private static readonly byte[] Chunk = IngestScenario.Bytes(256 << 10, seed: 5);

    [Fact]
    public async Task A_404_is_not_found_at_once()
    {
        await using var s = new IngestScenario(Respond.Status(404, "Not Found"));
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.NotFound, result.Outcome);
        Assert.Equal("not_found", result.ErrorCode);
        Assert.Contains("HTTP 404 Not Found", result.Message, StringComparison.Ordinal);
        Assert.Equal(1, result.Attempts);
        Assert.False(File.Exists(s.TempPath));
    }

    [Fact]
    public async Task A_403_fails_without_retrying()
    {
        await using var s = new IngestScenario(Respond.Status(403, "Forbidden"));
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.Failed, result.Outcome);
        Assert.Contains("HTTP 403 Forbidden", result.Message, StringComparison.Ordinal);
        Assert.Single(s.Origin.Requests);
    }

    [Theory]
    [InlineData(500, "Internal Server Error")]
    [InlineData(503, "Service Unavailable")]
    [InlineData(429, "Too Many Requests")]
    public async Task A_passing_server_error_is_retried(int status, string reason)
    {
        await using var s = new IngestScenario(Respond.InTurn(Respond.Status(status, reason), Respond.Content(Chunk)));
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.Verified, result.Outcome);
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public async Task A_lasting_server_error_fails_after_every_attempt_naming_the_status()
    {
        await using var s = new IngestScenario(Respond.Status(500, "Internal Server Error"));
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.Failed, result.Outcome);
        Assert.Equal("internal", result.ErrorCode);
        Assert.Contains("HTTP 500 Internal Server Error", result.Message, StringComparison.Ordinal);
        Assert.Contains("after 4 attempts", result.Message, StringComparison.Ordinal);
        Assert.Equal(4, s.Origin.Requests.Count);
    }

    [Fact]
    public async Task A_redirect_loop_ends_as_a_failure_naming_the_redirect()
    {
        await using var s = new IngestScenario(Respond.ByPath(("/a", Respond.Redirect("/b")), ("/b", Respond.Redirect("/a"))));
        var result = await s.DownloadAsync(Chunk, "/a");
        Assert.Equal(DownloadOutcome.Failed, result.Outcome);
        Assert.Contains("HTTP 302", result.Message, StringComparison.Ordinal);
        Assert.Contains("redirect", result.Message, StringComparison.Ordinal);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(IngestScenario.FastRetries.MaxRedirects + 1, s.Origin.Requests.Count);
    }

    [Fact]
    public async Task A_redirect_to_a_good_url_is_followed()
    {
        await using var s = new IngestScenario(Respond.ByPath(("/old", Respond.Redirect("/chunk")), ("/chunk", Respond.Content(Chunk))));
        var result = await s.DownloadAsync(Chunk, "/old");
        Assert.Equal(DownloadOutcome.Verified, result.Outcome);
        Assert.Equal(["/old", "/chunk"], s.Origin.Requests.Select(r => r.Target));
    }

    [Fact]
    public async Task A_resumed_request_keeps_its_range_through_a_redirect()
    {
        await using var s = new IngestScenario(Respond.ByPath(
            ("/old", Respond.Redirect("/chunk")),
            ("/chunk", Respond.InTurn(Respond.DropAfter(Chunk, 1000), Respond.DropAfter(Chunk, 1000), Respond.Content(Chunk)))));
        var result = await s.DownloadAsync(Chunk, "/old");
        Assert.Equal(DownloadOutcome.Verified, result.Outcome);
        Assert.Equal(Chunk, File.ReadAllBytes(s.TempPath));
    }

    [Fact]
    public async Task A_refused_connection_is_retried_then_fails_naming_the_error()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var dir = new TempDir("ingest");
        using var downloader = new ChunkDownloader(IngestScenario.FastRetries);
        var result = await downloader.DownloadAsync(
            new DownloadRequest($"http://127.0.0.1:{port}/chunk", ChunkHash.Of(Chunk), Chunk.Length, dir["chunk.part"]), null, default);
        Assert.Equal(DownloadOutcome.Failed, result.Outcome);
        Assert.Contains("request to the origin failed", result.Message, StringComparison.Ordinal);
        Assert.Contains("refused", result.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(4, result.Attempts);
    }

    [Fact]
    public async Task The_total_timeout_ends_a_download_that_never_finishes()
    {
        var options = IngestScenario.FastRetries with { TotalTimeout = TimeSpan.FromSeconds(2) };
        await using var s = new IngestScenario(Respond.StallAfter(Chunk, 1000), options);
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.Failed, result.Outcome);
        Assert.True(result.Message!.Contains("total timeout", StringComparison.Ordinal), result.Message);
        Assert.False(File.Exists(s.TempPath));
    }

    [Fact]
    public async Task Cancelling_throws_and_removes_the_temp_file()
    {
        await using var s = new IngestScenario(Respond.StallAfter(Chunk, 1000));
        using var cts = new CancellationTokenSource();
        var download = s.DownloadAsync(Chunk, ct: cts.Token);
        await Eventually.TrueAsync(() => File.Exists(s.TempPath) && s.Origin.Requests.Count == 1, "the download under way");
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => download);
        Assert.False(File.Exists(s.TempPath));
    }
}
