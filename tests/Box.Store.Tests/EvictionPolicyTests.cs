using Box.Store;

namespace Box.Store.Tests;

public class EvictionPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static ChunkRow Row(double storedHoursAgo, double? servedHoursAgo = null, long serves = 0, int n = 0) => new(
        StoreKit.HashOf(n), 100, Now.AddHours(-storedHoursAgo),
        servedHoursAgo is { } s ? Now.AddHours(-s) : null, serves, serves * 100, false);

    [Theory]
    // stored h ago, last served h ago, serves, expected value
    [InlineData(0.0, null, 0, 1.0)]          // just stored: age counts as an hour
    [InlineData(0.5, null, 0, 1.0 / (1 + 0.5 / 24))] // idle since stored
    [InlineData(24.0, null, 0, 1.0 / 24 / 2)] // a day, never served: one day idle halves it
    [InlineData(24.0, 0.0, 23, 1.0)]          // 23 serves in a day, served just now
    [InlineData(48.0, 24.0, 47, 0.5)]         // as popular, but idle a day
    [InlineData(10.0, 10.0, 0, 0.1 / (1 + 10.0 / 24))]
    public void Value_follows_the_formula(double storedHoursAgo, double? servedHoursAgo, long serves, double expected)
    {
        Assert.Equal(expected, EvictionPolicy.Value(Row(storedHoursAgo, servedHoursAgo, serves), Now), 9);
    }

    [Fact]
    public void Old_unserved_goes_before_fresh_and_before_popular()
    {
        var oldUnserved = Row(240, n: 1);
        var fresh = Row(0.1, n: 2);
        var popular = Row(240, 1, 500, n: 3);
        var popularLongAgo = Row(2400, 2000, 500, n: 4);
        Assert.True(EvictionPolicy.Compare(oldUnserved, fresh, Now) < 0);
        Assert.True(EvictionPolicy.Compare(fresh, popular, Now) < 0);
        Assert.True(EvictionPolicy.Compare(popularLongAgo, popular, Now) < 0);
    }

    [Fact]
    public void Ties_go_to_the_older_then_the_lower_hash()
    {
        // Both under an hour old (age counts as one hour), served once, at the same time.
        var a = Row(0.5, 0.05, 1, n: 1);
        var b = Row(0.2, 0.05, 1, n: 2);
        Assert.Equal(EvictionPolicy.Value(a, Now), EvictionPolicy.Value(b, Now));
        Assert.True(EvictionPolicy.Compare(a, b, Now) < 0);
        var c = b with { Hash = StoreKit.HashOf(3) };
        Assert.Equal(b.Hash.CompareTo(c.Hash), EvictionPolicy.Compare(b, c, Now));
    }
}
