using System.Globalization;
using Box.Store.Ingest;

namespace Box.Store.Tests.Ingest;

public class VerifiedDownloadTests
{
    private static readonly byte[] Chunk = IngestScenario.Bytes(1 << 20);

    [Fact]
    public async Task Correct_bytes_are_verified_and_left_in_the_temp_file()
    {
        await using var s = new IngestScenario(Respond.Content(Chunk));
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.Verified, result.Outcome);
        Assert.Null(result.ErrorCode);
        Assert.Null(result.Message);
        Assert.Equal(Chunk.Length, result.Bytes);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(Chunk, File.ReadAllBytes(s.TempPath));
        var request = Assert.Single(s.Origin.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Null(request.Range);
        Assert.StartsWith("box-agent/", request.Headers["user-agent"], StringComparison.Ordinal);
        Assert.False(request.Headers.ContainsKey("accept-encoding"));
    }

    [Fact]
    public async Task Wrong_bytes_fail_verification_naming_the_actual_hash_and_the_temp_file_goes()
    {
        var other = IngestScenario.Bytes(Chunk.Length, seed: 2);
        await using var s = new IngestScenario(Respond.Content(other));
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.VerifyFailed, result.Outcome);
        Assert.Equal("verify_failed", result.ErrorCode);
        Assert.Contains(ChunkHash.Of(other).ToString(), result.Message, StringComparison.Ordinal);
        Assert.Contains(ChunkHash.Of(Chunk).ToString(), result.Message, StringComparison.Ordinal);
        Assert.Single(s.Origin.Requests); // wrong bytes are not asked for again
        Assert.False(File.Exists(s.TempPath));
    }

    [Theory]
    [InlineData(+10)]
    [InlineData(-10)]
    public async Task A_content_length_other_than_the_size_fails_before_the_body(int delta)
    {
        var length = (Chunk.Length + delta).ToString(CultureInfo.InvariantCulture);
        await using var s = new IngestScenario(Respond.Raw(200, "OK", Chunk, ("Content-Length", length)));
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.VerifyFailed, result.Outcome);
        Assert.Contains($"Content-Length {length}", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, result.Bytes);
        Assert.False(File.Exists(s.TempPath));
    }

    [Fact]
    public async Task A_huge_content_length_claim_fails_at_once()
    {
        await using var s = new IngestScenario(Respond.Raw(200, "OK", Chunk, ("Content-Length", "1099511627776")));
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.VerifyFailed, result.Outcome);
        Assert.Contains("1099511627776", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_huge_content_range_length_fails_at_once()
    {
        var huge = Respond.Raw(206, "Partial Content", Chunk,
            ("Content-Range", $"bytes 0-{Chunk.Length - 1}/1099511627776"), ("Content-Length", Chunk.Length.ToString(CultureInfo.InvariantCulture)));
        await using var s = new IngestScenario(huge);
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.VerifyFailed, result.Outcome);
        Assert.Contains("1099511627776", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endless_data_stops_at_the_first_byte_past_the_size()
    {
        await using var s = new IngestScenario(Respond.Endless());
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.VerifyFailed, result.Outcome);
        Assert.Contains("more than the expected size", result.Message, StringComparison.Ordinal);
        Assert.True(result.Bytes <= Chunk.Length, $"wrote {result.Bytes} bytes");
        Assert.Single(s.Origin.Requests);
        Assert.False(File.Exists(s.TempPath));
    }

    [Fact]
    public async Task A_compressed_body_is_refused_rather_than_hashed()
    {
        await using var s = new IngestScenario(Respond.Raw(200, "OK", Chunk,
            ("Content-Length", Chunk.Length.ToString(CultureInfo.InvariantCulture)), ("Content-Encoding", "gzip")));
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.VerifyFailed, result.Outcome);
        Assert.Contains("gzip", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_without_a_length_is_verified_by_its_bytes()
    {
        await using var s = new IngestScenario(async (_, c) =>
        {
            await c.SendHeadAsync(200, "OK");
            await c.SendAsync(Chunk);
            c.Close();
        });
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.Verified, result.Outcome);
    }

    [Fact]
    public async Task A_leftover_temp_file_is_overwritten_not_resumed()
    {
        await using var s = new IngestScenario(Respond.Content(Chunk));
        await File.WriteAllBytesAsync(s.TempPath, IngestScenario.Bytes(Chunk.Length + 5, seed: 9));
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.Verified, result.Outcome);
        Assert.Null(Assert.Single(s.Origin.Requests).Range);
        Assert.Equal(Chunk, File.ReadAllBytes(s.TempPath));
    }

    [Fact]
    public async Task Progress_rises_to_the_size_a_few_times_per_second_at_most()
    {
        var big = IngestScenario.Bytes(8 << 20, seed: 3);
        var reports = new List<DownloadProgress>();
        var progress = new SynchronousProgress(reports);
        var options = IngestScenario.FastRetries with { WriteBytesPerSecond = 8 << 20, ProgressInterval = TimeSpan.FromMilliseconds(250) };
        await using var s = new IngestScenario(Respond.Content(big), options);
        var started = DateTime.UtcNow;
        var result = await s.DownloadAsync(big, progress: progress);
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        Assert.Equal(DownloadOutcome.Verified, result.Outcome);
        lock (reports)
        {
            Assert.Equal(new DownloadProgress(big.Length, big.Length), reports[^1]);
            Assert.Equal(100, reports[^1].Percent);
            Assert.True(reports.Count >= 2, $"{reports.Count} reports");
            Assert.True(reports.Count <= seconds * 4 + 2, $"{reports.Count} reports in {seconds:0.0} s");
            for (int i = 1; i < reports.Count; i++)
                Assert.True(reports[i].Bytes >= reports[i - 1].Bytes);
        }
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; this records in call order.</summary>
    private sealed class SynchronousProgress(List<DownloadProgress> reports) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value)
        {
            lock (reports)
                reports.Add(value);
        }
    }
}
