using Box.Store.Ingest;

namespace Box.Store.Tests.Ingest;

public class WriteRateLimiterTests
{
    private const long Rate = 4 << 20; // burst = a quarter second = 1 MiB

    [Fact]
    public void Zero_is_unlimited()
    {
        var limiter = new WriteRateLimiter(0, new FakeTime());
        for (int i = 0; i < 100; i++)
            Assert.Equal(TimeSpan.Zero, limiter.Take(64 << 20));
    }

    [Fact]
    public void The_burst_passes_at_once_then_writes_wait_for_their_bytes_at_the_rate()
    {
        var time = new FakeTime();
        var limiter = new WriteRateLimiter(Rate, time);
        Assert.Equal(TimeSpan.Zero, limiter.Take(1 << 20));
        Assert.Equal(TimeSpan.FromSeconds(0.25), limiter.Take(1 << 20));
        time.Advance(TimeSpan.FromSeconds(0.25));
        Assert.Equal(TimeSpan.FromSeconds(0.25), limiter.Take(1 << 20)); // paid the debt, not the new write
    }

    [Fact]
    public void Idle_time_refills_no_more_than_the_burst()
    {
        var time = new FakeTime();
        var limiter = new WriteRateLimiter(Rate, time);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(TimeSpan.Zero, limiter.Take(1 << 20));
        Assert.True(limiter.Take(1 << 20) > TimeSpan.Zero);
    }

    [Fact]
    public void Concurrent_writers_share_one_rate()
    {
        var time = new FakeTime();
        var limiter = new WriteRateLimiter(Rate, time);
        // Two downloads, each writing 2 MiB in 256 KiB blocks at the same instants.
        TimeSpan last = TimeSpan.Zero;
        for (int i = 0; i < 8; i++)
        {
            last = limiter.Take(256 << 10);
            last = limiter.Take(256 << 10);
        }
        // 4 MiB at 4 MiB/s with 1 MiB of burst: the last block waits 0.75 s.
        Assert.Equal(TimeSpan.FromSeconds(0.75), last);
    }

    [Fact]
    public async Task A_download_under_a_write_rate_takes_at_least_its_bytes_over_the_rate()
    {
        var chunk = IngestScenario.Bytes(3 << 20, seed: 8);
        var options = IngestScenario.FastRetries with { WriteBytesPerSecond = 2 << 20 };
        await using var s = new IngestScenario(Respond.Content(chunk), options);
        var started = DateTime.UtcNow;
        var result = await s.DownloadAsync(chunk);
        var elapsed = DateTime.UtcNow - started;
        Assert.Equal(DownloadOutcome.Verified, result.Outcome);
        // (3 MiB - 0.5 MiB burst) at 2 MiB/s = 1.25 s; less would mean no limit.
        Assert.True(elapsed >= TimeSpan.FromSeconds(1.2), $"took {elapsed.TotalSeconds:0.00} s");
    }
}
