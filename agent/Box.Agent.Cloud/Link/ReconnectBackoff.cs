namespace Box.Agent.Cloud.Link;

/// <summary>Full-jitter exponential backoff (delay = random(0, min(cap,
/// base·2^failures))), so a fleet that lost its broker at once comes back
/// spread out instead of as one spike. The failure count is reset only by a
/// connection that stayed up for <c>stableAfter</c>: a broker that accepts
/// and then drops connections keeps the delays growing.</summary>
internal sealed class ReconnectBackoff(TimeSpan baseDelay, TimeSpan maxDelay, TimeSpan stableAfter, Random? random = null)
{
    readonly Random _random = random ?? Random.Shared;
    int _failures;

    public int Failures => _failures;

    /// <summary>The ceiling the next delay is drawn under.</summary>
    public TimeSpan Ceiling
    {
        get
        {
            var factor = Math.Pow(2, Math.Min(_failures, 30));
            return TimeSpan.FromTicks((long)Math.Min(maxDelay.Ticks, baseDelay.Ticks * factor));
        }
    }

    /// <summary>The delay before the next attempt; counts one more failure.</summary>
    public TimeSpan NextDelay()
    {
        var delay = TimeSpan.FromTicks((long)(Ceiling.Ticks * _random.NextDouble()));
        _failures = Math.Min(_failures + 1, 30);
        return delay;
    }

    /// <summary>A connection ended after <paramref name="lasted"/>.</summary>
    public void ConnectionEnded(TimeSpan lasted)
    {
        if (lasted >= stableAfter)
            _failures = 0;
    }
}
