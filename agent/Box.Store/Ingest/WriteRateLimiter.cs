namespace Box.Store.Ingest;

/// <summary>A token bucket for disk writes, shared by every download of one
/// <see cref="ChunkDownloader"/> so that ingest as a whole, not each download,
/// stays under the rate and the same USB disk goes on serving chunks.
/// The bucket may go into debt: a write larger than the burst is let through
/// and the next caller waits until the debt is paid, so any block size works
/// and the long-run rate is exact. Burst: a quarter second of rate (at least
/// 64 KiB), small enough that the disk never sees a long full-speed run.</summary>
public sealed class WriteRateLimiter
{
    private const long MinBurst = 64 << 10;

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly long _bytesPerSecond;
    private readonly double _burst;
    private double _tokens;
    private long _lastTimestamp;

    /// <param name="bytesPerSecond">0 = unlimited.</param>
    public WriteRateLimiter(long bytesPerSecond, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytesPerSecond);
        _time = time ?? TimeProvider.System;
        _bytesPerSecond = bytesPerSecond;
        _burst = Math.Max(MinBurst, bytesPerSecond / 4.0);
        _tokens = _burst;
        _lastTimestamp = _time.GetTimestamp();
    }

    public long BytesPerSecond => _bytesPerSecond;

    /// <summary>How long a write of <paramref name="bytes"/> must wait, counted
    /// as taken from the bucket (a caller that then cancels does not get it back).</summary>
    public TimeSpan Take(long bytes)
    {
        if (_bytesPerSecond == 0 || bytes <= 0)
            return TimeSpan.Zero;
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + _time.GetElapsedTime(_lastTimestamp, now).TotalSeconds * _bytesPerSecond);
            _lastTimestamp = now;
            _tokens -= bytes;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _bytesPerSecond);
        }
    }

    /// <summary>Waits until <paramref name="bytes"/> may be written.</summary>
    public Task WaitAsync(long bytes, CancellationToken ct)
    {
        var delay = Take(bytes);
        return delay == TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, _time, ct);
    }
}
