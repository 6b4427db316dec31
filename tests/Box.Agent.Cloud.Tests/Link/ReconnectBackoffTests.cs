using Box.Agent.Cloud.Link;

namespace Box.Agent.Cloud.Tests.Link;

public sealed class ReconnectBackoffTests
{
    static readonly TimeSpan Base = TimeSpan.FromSeconds(1);
    static readonly TimeSpan Cap = TimeSpan.FromSeconds(60);
    static readonly TimeSpan Stable = TimeSpan.FromSeconds(30);
    static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    /// <summary>A random source that returns the given fractions in turn.</summary>
    sealed class ScriptedRandom(params double[] units) : Random
    {
        int _next;

        public override double NextDouble() => units[_next++ % units.Length];
    }

    static ReconnectBackoff Backoff(Random random, TimeSpan? window = null) => new(Base, Cap, Stable, window ?? Window, random);

    [Fact]
    public void DelaysAreFullJitterUnderAGrowingCappedCeiling()
    {
        var backoff = Backoff(new Random(7));
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
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), Stable, Window, new Random(1));
        var delays = Enumerable.Range(0, 1000).Select(_ => backoff.NextDelay().TotalSeconds).ToList();
        Assert.True(delays.Min() < 1 && delays.Max() > 9, "full jitter covers 0..ceiling");
    }

    [Fact]
    public void OnlyAStableConnectionResetsTheBackoff()
    {
        var backoff = Backoff(new Random(3));
        for (var i = 0; i < 5; i++)
            backoff.NextDelay();
        backoff.ConnectionEnded(TimeSpan.FromSeconds(2)); // accepted, then dropped
        Assert.Equal(TimeSpan.FromSeconds(32), backoff.Ceiling); // the grown ceiling is above the window
        backoff.ConnectionEnded(TimeSpan.FromSeconds(31));
        Assert.Equal(Window, backoff.Ceiling); // reset, and the next attempt is the first after a loss
        backoff.NextDelay();
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Ceiling);
    }

    [Fact]
    public void AtBootTheFirstRetriesUseTheShortBaseDelay()
    {
        var backoff = Backoff(new ScriptedRandom(0.5));
        Assert.Equal(
            [0.5, 1, 2, 4],
            Enumerable.Range(0, 4).Select(_ => backoff.NextDelay().TotalSeconds));
    }

    [Fact]
    public void AfterALostConnectionTheFirstAttemptIsSpreadOverTheWindowThenBackoffGoesOn()
    {
        var backoff = Backoff(new ScriptedRandom(0.75));
        backoff.ConnectionEnded(TimeSpan.FromMinutes(5));
        // 7.5 s of the 10 s window, then 0.75 of 2, 4, 8 s (the window draw counted as the first failure).
        Assert.Equal(
            [7.5, 1.5, 3, 6],
            Enumerable.Range(0, 4).Select(_ => backoff.NextDelay().TotalSeconds));
        // Up again for a while, lost again: the window again.
        backoff.ConnectionEnded(TimeSpan.FromMinutes(1));
        Assert.Equal(7.5, backoff.NextDelay().TotalSeconds);
    }

    [Fact]
    public void AFleetLostAtOnceComesBackAtFleetSizeOverWindowPerSecond()
    {
        // 10,000 boxes, one random stream each, all losing the broker in the same instant.
        const int boxes = 10_000;
        var perSecond = new int[10];
        var random = new Random(42);
        for (var i = 0; i < boxes; i++)
        {
            var backoff = Backoff(random);
            backoff.ConnectionEnded(TimeSpan.FromMinutes(10));
            perSecond[(int)backoff.NextDelay().TotalSeconds]++;
        }
        // Uniform over 10 s: ~1,000 per second; a spike would put thousands in one second.
        Assert.All(perSecond, n => Assert.InRange(n, 850, 1150));
    }

    [Fact]
    public void ZeroWindowIsPlainBackoff()
    {
        var backoff = Backoff(new ScriptedRandom(0.5), TimeSpan.Zero);
        backoff.ConnectionEnded(TimeSpan.FromMinutes(5));
        Assert.Equal(0.5, backoff.NextDelay().TotalSeconds);
    }

    [Theory]
    [InlineData(0, false, 1)]
    [InlineData(0, true, 10)]
    [InlineData(3, true, 10)]
    [InlineData(4, true, 16)]
    [InlineData(4, false, 16)]
    [InlineData(30, false, 60)]
    [InlineData(1000, true, 60)]
    public void CeilingIsThePureSchedule(int failures, bool firstAfterLoss, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), ReconnectBackoff.CeilingFor(failures, firstAfterLoss, Base, Cap, Window));
    }

    [Fact]
    public void NegativeWindowIsRefusedByTheOptions()
    {
        var options = new CloudLinkOptions
        {
            Broker = new Uri("mqtt://127.0.0.1:1883"),
            BoxId = "box-1",
            Post = _ => { },
            ReconnectWindow = TimeSpan.FromSeconds(-1),
        };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.StartsWith("reconnect window:", e.Message, StringComparison.Ordinal);
    }
}
