namespace Box.Testing;

/// <summary>A hand-driven clock: time moves only in <see cref="Advance"/>, which runs
/// due timer callbacks synchronously, in due order. Wall time and the monotonic
/// timestamp move together unless <see cref="StepWallClock"/> jumps the wall clock
/// alone, as NTP does on a board without a real-time clock. Timers run on the
/// monotonic clock, like real ones.</summary>
public sealed class FakeTime : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<FakeTimer> _timers = [];
    private DateTimeOffset _wall;
    private TimeSpan _elapsed; // monotonic time since creation

    public FakeTime(DateTimeOffset? start = null) => _wall = start ?? new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() { lock (_gate) return _wall; }

    public override long GetTimestamp() { lock (_gate) return _elapsed.Ticks; }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var t = new FakeTimer(this, callback, state);
        t.Change(dueTime, period);
        lock (_gate) _timers.Add(t);
        return t;
    }

    /// <summary>Timers that will still fire.</summary>
    public int PendingTimers { get { lock (_gate) return _timers.Count(t => t.Due is not null); } }

    /// <summary>Jumps the wall clock by <paramref name="by"/> (either way); the
    /// monotonic timestamp and timers do not move.</summary>
    public void StepWallClock(TimeSpan by) { lock (_gate) _wall += by; }

    public void Advance(TimeSpan by)
    {
        TimeSpan target;
        lock (_gate) target = _elapsed + by;
        while (true)
        {
            FakeTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due is { } d && d <= target).OrderBy(t => t.Due).FirstOrDefault();
                var to = next?.Due ?? target;
                _wall += to - _elapsed;
                _elapsed = to;
                if (next is null)
                    return;
                next.Due = next.Period > TimeSpan.Zero ? _elapsed + next.Period : null;
            }
            next.Fire();
        }
    }

    private sealed class FakeTimer(FakeTime owner, TimerCallback callback, object? state) : ITimer
    {
        public TimeSpan? Due { get; set; }
        public TimeSpan Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._elapsed + dueTime;
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            }
            return true;
        }

        public void Dispose() { lock (owner._gate) { Due = null; owner._timers.Remove(this); } }
        public ValueTask DisposeAsync() { Dispose(); return ValueTask.CompletedTask; }
    }
}
