using Box.Agent.Configuration;
using Box.Agent.Serving;

namespace Box.Agent.Tests.Serving;

public class RateLimitUnitTests
{
    [Fact]
    public void Bucket_grants_its_burst_then_only_what_time_refills()
    {
        var time = new FakeTime();
        var bucket = new TokenBucket(100_000, time);
        long burst = TokenBucket.BurstFor(100_000);

        Assert.Equal(burst, bucket.TryTake(1_000_000, out _));
        Assert.Equal(0, bucket.TryTake(1_000_000, out var wait));
        Assert.True(wait > TimeSpan.Zero);

        time.Advance(TimeSpan.FromSeconds(1));
        // Refill is capped at the burst: idling never buys a second's worth at once.
        Assert.Equal(burst, bucket.TryTake(1_000_000, out _));
        time.Advance(wait);
        int taken = bucket.TryTake(1_000_000, out _);
        Assert.InRange(taken, 1, burst);
    }

    [Fact]
    public void Unlimited_bucket_grants_everything_and_a_rate_change_applies_at_once()
    {
        var time = new FakeTime();
        var bucket = new TokenBucket(0, time);
        Assert.Equal(5_000_000, bucket.TryTake(5_000_000, out _));

        bucket.SetRate(10_000);
        Assert.Equal(10_000, bucket.BytesPerSecond);
        Assert.InRange(bucket.TryTake(5_000_000, out _), 0, TokenBucket.MinBurst);
    }

    [Fact]
    public void Over_many_seconds_the_bucket_grants_the_rate()
    {
        var time = new FakeTime();
        var bucket = new TokenBucket(1_000_000, time);
        long total = bucket.TryTake(int.MaxValue, out _);
        for (int i = 0; i < 1000; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            total += bucket.TryTake(int.MaxValue, out _);
        }
        // 10 s at 1 MB/s, plus at most one burst.
        Assert.InRange(total, 10_000_000 - 16_384, 10_000_000 + TokenBucket.BurstFor(1_000_000));
    }

    [Fact]
    public void Schedule_windows_override_the_base_limit()
    {
        ServeWindow[] windows =
        [
            new(new TimeOnly(8, 0), new TimeOnly(23, 0), 1_000_000),
            new(new TimeOnly(23, 0), new TimeOnly(2, 0), 0),
            new(new TimeOnly(2, 0), TimeOnly.MinValue, 5, ToIsMidnight: true),
        ];
        Assert.Equal(1_000_000, ServeSchedule.LimitAt(42, windows, new TimeOnly(8, 0)));
        Assert.Equal(1_000_000, ServeSchedule.LimitAt(42, windows, new TimeOnly(22, 59)));
        Assert.Equal(0, ServeSchedule.LimitAt(42, windows, new TimeOnly(23, 30)));
        Assert.Equal(0, ServeSchedule.LimitAt(42, windows, new TimeOnly(1, 59)));
        Assert.Equal(5, ServeSchedule.LimitAt(42, windows, new TimeOnly(3, 0)));
        Assert.Equal(42, ServeSchedule.LimitAt(42, [windows[0]], new TimeOnly(7, 59)));
    }

    [Fact]
    public void Limiter_follows_the_schedule_and_takes_new_settings_at_once()
    {
        var time = new FakeTime();
        var local = TimeOnly.FromDateTime(time.GetLocalNow().DateTime);
        ServeWindow window = new(local.AddMinutes(10), local.AddMinutes(20), 2_000_000);
        var limiter = new ServeRateLimiter(new ServeRateSettings(1_000_000, [window]), time);

        Assert.Equal(1_000_000, limiter.CurrentLimit);
        time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(2_000_000, limiter.CurrentLimit);
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1_000_000, limiter.CurrentLimit);

        limiter.Update(new ServeRateSettings(0, [], PerConnectionBytesPerSecond: 7_000));
        Assert.Equal(0, limiter.CurrentLimit);
        Assert.Equal(7_000, limiter.PerConnectionLimit);
    }
}
