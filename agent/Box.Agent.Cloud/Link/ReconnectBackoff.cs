namespace Box.Agent.Cloud.Link;

/// <summary>When to try the broker again. Two parts:
/// <list type="bullet">
/// <item>After a connection that was up is lost, the first attempt waits a
/// uniformly random delay in [0, reconnectWindow). A broker restart drops
/// the whole fleet in the same instant; short full-jitter delays (0..1 s)
/// would still bring every box back within a second or two, a spike that
/// overflows the broker's listen backlog (measured: 10,000 boxes, 6,036
/// SYNs dropped). Spread over the window the fleet arrives at
/// N/window connects per second (AWS IoT Device SDK and Home Assistant
/// do the same).</item>
/// <item>Every other attempt waits full-jitter exponential backoff,
/// random(0, min(cap, base·2^failures)). This includes the retries at boot:
/// boxes boot spread out by power-on and boot time, and an owner who just
/// plugged a box in should see it online at once. The failure count is reset
/// only by a connection that stayed up for <c>stableAfter</c>: a broker that
/// accepts and then drops connections keeps the delays growing, and its
/// window draw is taken under the grown ceiling when that is larger.</item>
/// </list></summary>
internal sealed class ReconnectBackoff(TimeSpan baseDelay, TimeSpan maxDelay, TimeSpan stableAfter, TimeSpan reconnectWindow, Random? random = null)
{
    const int MaxExponent = 30;

    readonly Random _random = random ?? Random.Shared;
    int _failures;
    bool _connectionLost;

    public int Failures => _failures;

    /// <summary>The ceiling the next delay is drawn under.</summary>
    public TimeSpan Ceiling => CeilingFor(_failures, _connectionLost, baseDelay, maxDelay, reconnectWindow);

    /// <summary>The delay before the next attempt; counts one more failure.</summary>
    public TimeSpan NextDelay()
    {
        var delay = Draw(Ceiling, _random.NextDouble());
        _connectionLost = false;
        _failures = Math.Min(_failures + 1, MaxExponent);
        return delay;
    }

    /// <summary>A connection that was up ended after <paramref name="lasted"/>.</summary>
    public void ConnectionEnded(TimeSpan lasted)
    {
        if (lasted >= stableAfter)
            _failures = 0;
        _connectionLost = true;
    }

    /// <summary>The schedule itself, free of state: the ceiling of the delay
    /// after <paramref name="failures"/> failed attempts, widened to the
    /// reconnect window for the first attempt after a lost connection.</summary>
    public static TimeSpan CeilingFor(int failures, bool firstAfterLoss, TimeSpan baseDelay, TimeSpan maxDelay, TimeSpan reconnectWindow)
    {
        var factor = Math.Pow(2, Math.Clamp(failures, 0, MaxExponent));
        var backoff = TimeSpan.FromTicks((long)Math.Min(maxDelay.Ticks, baseDelay.Ticks * factor));
        return firstAfterLoss && reconnectWindow > backoff ? reconnectWindow : backoff;
    }

    /// <summary>Full jitter: <paramref name="unit"/> in [0, 1) scales the ceiling.</summary>
    public static TimeSpan Draw(TimeSpan ceiling, double unit) => TimeSpan.FromTicks((long)(ceiling.Ticks * unit));
}
