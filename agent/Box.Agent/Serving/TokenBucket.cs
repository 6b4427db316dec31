namespace Box.Agent.Serving;

/// <summary>A token bucket of bytes: fills at <see cref="BytesPerSecond"/>
/// up to a small burst (125 ms worth, 4 KiB..4 MiB), so the long-run rate is
/// the limit and a burst never adds more than a fraction of a second's worth.
/// Smaller bursts lose tokens whenever a sender is descheduled for longer
/// than the burst lasts (a loaded 2-core box: the rate then falls short).
/// 0 means unlimited (every request granted at once, no lock). Thread-safe;
/// the rate can change at any time.</summary>
public sealed class TokenBucket
{
    public const int MinBurst = 4 * 1024;
    public const int MaxBurst = 4 * 1024 * 1024;
    // A waiter asks for at least this much before it wakes (fewer, larger
    // sendfile slices), but never more than the burst.
    private const int MinSlice = 16 * 1024;

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private long _rate;
    private double _burst;
    private double _tokens;
    private long _stamp;

    public TokenBucket(long bytesPerSecond, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _stamp = _time.GetTimestamp();
        SetRate(bytesPerSecond);
        _tokens = _burst;
    }

    /// <summary>The rate in bytes per second; 0 = unlimited.</summary>
    public long BytesPerSecond => Volatile.Read(ref _rate);

    /// <summary>The most bytes granted at once after an idle spell.</summary>
    public static long BurstFor(long bytesPerSecond) => Math.Clamp(bytesPerSecond / 8, MinBurst, MaxBurst);

    public void SetRate(long bytesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytesPerSecond);
        lock (_lock)
        {
            Refill();
            _burst = BurstFor(bytesPerSecond);
            _tokens = Math.Min(_tokens, _burst);
            Volatile.Write(ref _rate, bytesPerSecond);
        }
    }

    /// <summary>Takes up to <paramref name="wanted"/> bytes. Returns how many
    /// were taken; 0 when too few are there, with <paramref name="wait"/> the
    /// time until enough for a useful slice will be.</summary>
    public int TryTake(int wanted, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        if (wanted <= 0 || Volatile.Read(ref _rate) == 0)
            return Math.Max(wanted, 0);
        lock (_lock)
        {
            if (_rate == 0)
                return wanted;
            Refill();
            double need = Math.Min(wanted, Math.Min(_burst, MinSlice));
            if (_tokens >= need)
            {
                int take = (int)Math.Min(wanted, Math.Floor(_tokens));
                _tokens -= take;
                return take;
            }
            // Round up to whole milliseconds so the timer never fires early.
            wait = TimeSpan.FromMilliseconds(Math.Ceiling((need - _tokens) * 1000 / _rate));
            return 0;
        }
    }

    /// <summary>Gives back bytes taken but not used.</summary>
    public void Return(int bytes)
    {
        if (bytes <= 0)
            return;
        lock (_lock)
            _tokens = Math.Min(_burst, _tokens + bytes);
    }

    /// <summary>Waits (timer, no thread held) until at least one byte is granted.</summary>
    public async ValueTask<int> TakeAsync(int wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            int taken = TryTake(wanted, out var wait);
            if (taken > 0 || wanted <= 0)
                return taken;
            await Task.Delay(wait, _time, cancellationToken);
        }
    }

    private void Refill()
    {
        long now = _time.GetTimestamp();
        if (_rate > 0)
            _tokens = Math.Min(_burst, _tokens + _time.GetElapsedTime(_stamp, now).TotalSeconds * _rate);
        _stamp = now;
    }
}
