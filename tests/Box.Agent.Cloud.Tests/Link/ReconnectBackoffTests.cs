using Box.Agent.Cloud.Link;

namespace Box.Agent.Cloud.Tests.Link;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void DelaysAreFullJitterUnderAGrowingCappedCeiling()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30), new Random(7));
        var ceilings = new List<TimeSpan>();
        for (var i = 0; i < 12; i++)
        {
            var ceiling = backoff.Ceiling;
            ceilings.Add(ceiling);
            var delay = backoff.NextDelay();
            Assert.InRange(delay, TimeSpan.Zero, ceiling);
        }
        Assert.Equal(TimeSpan.FromSeconds(1), ceilings[0]);
        Assert.Equal(TimeSpan.FromSeconds(8), ceilings[3]);
        Assert.Equal(TimeSpan.FromSeconds(60), ceilings[^1]);
    }

    [Fact]
    public void DelaysSpreadOverTheWholeRange()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), new Random(1));
        var delays = Enumerable.Range(0, 1000).Select(_ => backoff.NextDelay().TotalSeconds).ToList();
        Assert.True(delays.Min() < 1 && delays.Max() > 9, "full jitter covers 0..ceiling");
    }

    [Fact]
    public void OnlyAStableConnectionResetsTheBackoff()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30));
        for (var i = 0; i < 5; i++)
            backoff.NextDelay();
        backoff.ConnectionEnded(TimeSpan.FromSeconds(2)); // accepted, then dropped
        Assert.Equal(TimeSpan.FromSeconds(32), backoff.Ceiling);
        backoff.ConnectionEnded(TimeSpan.FromSeconds(31));
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Ceiling);
    }
}
