using Box.Agent.Supervision;

namespace Box.Agent.Hosting;

/// <summary>Posts the chunk traffic to the supervisor once a sample interval when it
/// changed (telemetry, the "serving" LED): a sample, not every byte, so serving at
/// full speed costs the loop one message a second.</summary>
public sealed class TrafficReporter : IAsyncDisposable
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(1);

    private readonly ChunkTraffic _traffic;
    private readonly SupervisorInbox _inbox;
    private readonly ITimer _timer;
    private (long Bytes, int Connections) _last;

    public TrafficReporter(ChunkTraffic traffic, SupervisorInbox inbox, TimeProvider? time = null)
    {
        _traffic = traffic;
        _inbox = inbox;
        _timer = (time ?? TimeProvider.System).CreateTimer(_ => Sample(), null, SampleInterval, SampleInterval);
    }

    private void Sample()
    {
        // Timer callbacks do not overlap at a 1 s period with this little work.
        var now = (_traffic.BytesServed, _traffic.ActiveConnections);
        if (now == _last) return;
        _last = now;
        _inbox.Post(new SupervisorInput.Traffic(now.BytesServed, now.ActiveConnections));
    }

    public ValueTask DisposeAsync() => _timer.DisposeAsync();
}
