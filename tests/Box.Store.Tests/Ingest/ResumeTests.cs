using System.Globalization;
using Box.Store.Ingest;

namespace Box.Store.Tests.Ingest;

public class ResumeTests
{
    private static readonly byte[] Chunk = IngestScenario.Bytes(2 << 20, seed: 4);
    private static readonly int Half = Chunk.Length / 2;

    private static readonly DownloaderOptions ShortStall = IngestScenario.FastRetries with { StallTimeout = TimeSpan.FromSeconds(1) };

    [Fact]
    public async Task A_connection_dropped_half_way_resumes_with_a_range_from_the_bytes_on_disk()
    {
        await using var s = new IngestScenario(Respond.InTurn(Respond.DropAfter(Chunk, Half), Respond.Content(Chunk)));
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.Verified, result.Outcome);
        Assert.Equal(2, result.Attempts);
        var requests = s.Origin.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Null(requests[0].Range);
        Assert.Equal($"bytes={Half}-", requests[1].Range);
        Assert.Equal(Chunk, File.ReadAllBytes(s.TempPath));
    }

    [Fact]
    public async Task Several_drops_each_resume_where_the_last_ended()
    {
        var quarter = Chunk.Length / 4;
        await using var s = new IngestScenario(Respond.InTurn(
            Respond.DropAfter(Chunk, quarter), Respond.DropAfter(Chunk, quarter), Respond.DropAfter(Chunk, quarter), Respond.Content(Chunk)));
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.Verified, result.Outcome);
        Assert.Equal([null, quarter, 2 * quarter, 3 * quarter], s.Origin.Requests.Select(r => r.RangeStart).Select(x => (int?)x));
    }

    [Fact]
    public async Task A_stall_ends_the_attempt_at_the_stall_timeout_and_the_retry_resumes()
    {
        await using var s = new IngestScenario(Respond.InTurn(Respond.StallAfter(Chunk, Half), Respond.Content(Chunk)), ShortStall);
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.Verified, result.Outcome);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(Half, s.Origin.Requests[1].RangeStart);
    }

    [Fact]
    public async Task An_origin_that_stalls_every_time_fails_naming_the_stall()
    {
        await using var s = new IngestScenario(Respond.StallAfter(Chunk, 1000), ShortStall with { MaxAttempts = 2 });
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.Failed, result.Outcome);
        Assert.Contains("stalled", result.Message, StringComparison.Ordinal);
        Assert.Contains("after 2 attempts", result.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(s.TempPath));
    }

    [Fact]
    public async Task An_origin_that_never_answers_is_a_stall_too()
    {
        await using var s = new IngestScenario((_, c) => c.HangAsync(), ShortStall with { MaxAttempts = 2 });
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.Failed, result.Outcome);
        Assert.Contains("no response within 1 s", result.Message, StringComparison.Ordinal);
        Assert.Equal(2, s.Origin.Requests.Count);
    }

    [Fact]
    public async Task A_reset_connection_is_retried()
    {
        await using var s = new IngestScenario(Respond.InTurn(Respond.ResetAfter(Chunk, Half), Respond.Content(Chunk)));
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.Verified, result.Outcome);
        Assert.Equal(2, result.Attempts);
        // A reset may discard bytes in flight: the resume starts at what arrived.
        Assert.InRange(s.Origin.Requests[1].RangeStart ?? 0, 0, Half);
        Assert.Equal(Chunk, File.ReadAllBytes(s.TempPath));
    }

    [Fact]
    public async Task An_origin_that_ignores_range_sends_everything_again_and_the_download_starts_over()
    {
        await using var s = new IngestScenario(Respond.InTurn(Respond.DropAfter(Chunk, Half), Respond.Content(Chunk, honourRange: false)));
        var progress = new List<long>();
        var result = await s.DownloadAsync(Chunk, progress: new Recorder(progress));
        Assert.Equal(DownloadOutcome.Verified, result.Outcome);
        Assert.Equal(Half, s.Origin.Requests[1].RangeStart); // asked for a range, got a 200
        Assert.Equal(Chunk, File.ReadAllBytes(s.TempPath));
        lock (progress)
            Assert.Contains(0, progress); // the restart shows as progress going back to 0
    }

    [Fact]
    public async Task A_206_from_another_offset_starts_over_with_a_plain_request()
    {
        var wrongStart = Respond.Raw(206, "Partial Content", Chunk.AsSpan(10).ToArray(),
            ("Content-Range", $"bytes 10-{Chunk.Length - 1}/{Chunk.Length}"), ("Content-Length", (Chunk.Length - 10).ToString(CultureInfo.InvariantCulture)));
        await using var s = new IngestScenario(Respond.InTurn(Respond.DropAfter(Chunk, Half), wrongStart, Respond.Content(Chunk)));
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.Verified, result.Outcome);
        Assert.Equal([null, Half, null], s.Origin.Requests.Select(r => r.RangeStart));
        Assert.Equal(Chunk, File.ReadAllBytes(s.TempPath));
    }

    [Fact]
    public async Task A_short_body_without_a_length_is_resumed_and_a_416_then_names_the_shortfall()
    {
        var shortContent = Chunk.AsSpan(0, Half).ToArray();
        await using var s = new IngestScenario(Respond.InTurn(async (_, c) =>
        {
            await c.SendHeadAsync(200, "OK");
            await c.SendAsync(shortContent);
            c.Close();
        }, Respond.Content(shortContent)));
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.VerifyFailed, result.Outcome);
        Assert.Contains("fewer bytes than expected", result.Message, StringComparison.Ordinal);
        Assert.Contains($"origin length {Half}", result.Message, StringComparison.Ordinal);
        Assert.Equal(Half, s.Origin.Requests[1].RangeStart);
        Assert.False(File.Exists(s.TempPath));
    }

    [Fact]
    public async Task An_origin_that_always_sends_a_short_body_fails_after_every_attempt()
    {
        var shortContent = Chunk.AsSpan(0, Half).ToArray();
        await using var s = new IngestScenario(async (_, c) =>
        {
            await c.SendHeadAsync(200, "OK");
            await c.SendAsync(shortContent);
            c.Close();
        });
        var result = await s.DownloadAsync(Chunk);
        Assert.Equal(DownloadOutcome.VerifyFailed, result.Outcome);
        Assert.Contains($"only {Half} of {Chunk.Length} bytes", result.Message, StringComparison.Ordinal);
        Assert.Equal(IngestScenario.FastRetries.MaxAttempts, result.Attempts);
    }

    private sealed class Recorder(List<long> bytes) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value)
        {
            lock (bytes)
                bytes.Add(value.Bytes);
        }
    }
}
