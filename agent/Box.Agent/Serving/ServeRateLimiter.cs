using Box.Agent.Http;

namespace Box.Agent.Serving;

/// <summary>The upload limits of the chunk server: one global token bucket
/// whose rate follows <see cref="ServeSchedule"/> (local time, rechecked at
/// most once a second) and, optionally, a bucket per connection.
/// <see cref="Update"/> may be called at any time from any thread (config
/// reload); connections pick the new limits up on their next slice.</summary>
public sealed class ServeRateLimiter
{
    private static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly TokenBucket _global;
    private ServeRateSettings _settings;
    private long _nextCheck;

    public ServeRateLimiter(ServeRateSettings? settings = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _settings = settings ?? ServeRateSettings.Unlimited;
        _global = new TokenBucket(LimitNow(_settings), _time);
        _nextCheck = _time.GetTimestamp() + Ticks(RecheckEvery);
    }

    public ServeRateSettings Settings => Volatile.Read(ref _settings);

    /// <summary>The global limit in force now (bytes/s, 0 = unlimited), for the status page.</summary>
    public long CurrentLimit
    {
        get
        {
            Refresh(force: false);
            return _global.BytesPerSecond;
        }
    }

    /// <summary>The per-connection limit (bytes/s, 0 = unlimited).</summary>
    public long PerConnectionLimit => Settings.PerConnectionBytesPerSecond;

    /// <summary>Replaces the limits; applies at once.</summary>
    public void Update(ServeRateSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Volatile.Write(ref _settings, settings);
        Refresh(force: true);
    }

    /// <summary>A throttle for one connection: its own bucket, then the global one.</summary>
    public ISendThrottle CreateConnectionThrottle() => new ConnectionThrottle(this);

    internal TokenBucket Global => _global;

    internal TimeProvider Time => _time;

    internal void Refresh(bool force)
    {
        long now = _time.GetTimestamp();
        if (!force && now < Volatile.Read(ref _nextCheck))
            return;
        Volatile.Write(ref _nextCheck, now + Ticks(RecheckEvery));
        long limit = LimitNow(Settings);
        if (limit != _global.BytesPerSecond)
            _global.SetRate(limit);
    }

    private long LimitNow(ServeRateSettings settings) =>
        ServeSchedule.LimitAt(settings.RateLimitBytesPerSecond, settings.Schedule, TimeOnly.FromDateTime(_time.GetLocalNow().DateTime));

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <summary>Per-connection bucket in front of the global one: bytes the
    /// global bucket does not grant go back to the connection's.</summary>
    private sealed class ConnectionThrottle(ServeRateLimiter limiter) : ISendThrottle
    {
        private readonly TokenBucket _own = new(limiter.PerConnectionLimit, limiter.Time);

        public async ValueTask<int> AcquireAsync(int wanted, CancellationToken cancellationToken)
        {
            while (true)
            {
                limiter.Refresh(force: false);
                long perConnection = limiter.PerConnectionLimit;
                if (perConnection != _own.BytesPerSecond)
                    _own.SetRate(perConnection);
                int mine = await _own.TakeAsync(wanted, cancellationToken);
                int granted = limiter.Global.TryTake(mine, out var wait);
                if (granted < mine)
                    _own.Return(mine - granted);
                if (granted > 0)
                    return granted;
                await Task.Delay(wait, limiter.Time, cancellationToken);
            }
        }
    }
}
