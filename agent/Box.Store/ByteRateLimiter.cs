namespace Box.Store;

/// <summary>Keeps a background loop's reads at or under a byte rate by
/// sleeping after each block; 0 means unlimited. Waits on the token so
/// closing the store stops it at once.</summary>
internal sealed class ByteRateLimiter(long bytesPerSecond, TimeProvider time)
{
    private long _start = time.GetTimestamp();
    private long _bytes;

    public void Reset()
    {
        _start = time.GetTimestamp();
        _bytes = 0;
    }

    public void Consume(long bytes, CancellationToken stop)
    {
        if (bytesPerSecond <= 0)
            return;
        _bytes += bytes;
        var due = TimeSpan.FromSeconds((double)_bytes / bytesPerSecond);
        var wait = due - time.GetElapsedTime(_start);
        if (wait > TimeSpan.Zero)
            stop.WaitHandle.WaitOne(wait);
        if (time.GetElapsedTime(_start) > TimeSpan.FromMinutes(1))
            Reset(); // a long idle gap must not buy a burst later
    }
}
