using Box.Agent.Supervision;

namespace Box.Agent.Hosting;

/// <summary>Samples the chunk traffic once a second: the upload rate (over
/// the last <see cref="RateWindow"/> samples) and today's bytes go back into
/// <see cref="ChunkTraffic"/> for the status page, and the totals are posted
/// to the supervisor when they changed (telemetry, the "serving" LED): a
/// sample, not every byte, so serving at full speed costs the loop one
/// message a second.</summary>
public sealed class TrafficReporter : IAsyncDisposable
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(1);
    public const int RateWindow = 5;

    private readonly ChunkTraffic _traffic;
    private readonly SupervisorInbox _inbox;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly Queue<(long Timestamp, long Bytes)> _window = new();
    private (long Bytes, int Connections) _last;
    private DateOnly _day;
    private long _dayStartBytes;

    public TrafficReporter(ChunkTraffic traffic, SupervisorInbox inbox, TimeProvider? time = null)
    {
        _traffic = traffic;
        _inbox = inbox;
        _time = time ?? TimeProvider.System;
        _day = Today();
        _dayStartBytes = traffic.BytesServed;
        _timer = _time.CreateTimer(_ => Sample(), null, SampleInterval, SampleInterval);
    }

    private DateOnly Today() => DateOnly.FromDateTime(_time.GetLocalNow().DateTime);

    private void Sample()
    {
        // Timer callbacks do not overlap at a 1 s period with this little work.
        var bytes = _traffic.BytesServed;
        var stamp = _time.GetTimestamp();
        _window.Enqueue((stamp, bytes));
        while (_window.Count > RateWindow + 1) _window.Dequeue();
        var (firstStamp, firstBytes) = _window.Peek();
        var elapsed = _time.GetElapsedTime(firstStamp, stamp).TotalSeconds;
        var rate = elapsed > 0 ? (long)((bytes - firstBytes) / elapsed) : 0;
        var today = Today();
        if (today != _day)
        {
            _day = today;
            _dayStartBytes = bytes;
        }
        _traffic.SetRates(rate, bytes - _dayStartBytes);

        var now = (bytes, _traffic.ActiveConnections);
        if (now == _last) return;
        _last = now;
        _inbox.Post(new SupervisorInput.Traffic(now.bytes, now.ActiveConnections));
    }

    public ValueTask DisposeAsync() => _timer.DisposeAsync();
}
