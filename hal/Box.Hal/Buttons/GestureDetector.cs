namespace Box.Hal.Buttons;

/// <summary>Turns raw button edges into debounced Down/Up edges and gestures:
/// HoldThreshold while held (once per threshold crossed, from a timer), then Press
/// (released before the first threshold) or Hold (released after it).
/// Pure logic over a <see cref="TimeProvider"/>: drivers feed it edges with the
/// timestamps the hardware reported, so a reader that wakes late does not stretch
/// or shrink durations. Durations use the monotonic timestamp only, never wall time:
/// a board without an RTC steps its wall clock by hours when NTP first syncs, and
/// that must neither fire nor cancel a hold.</summary>
public sealed class GestureDetector : IDisposable
{
    private readonly string _button;
    private readonly TimeProvider _time;
    private readonly TimeSpan _debounce;
    private readonly TimeSpan[] _thresholds;
    private readonly object _gate = new();

    private bool _pressed;           // debounced state
    private bool _raw;               // last raw state seen
    private Edge _rawEdge;
    private long? _acceptedAt;       // monotonic timestamp of the last accepted edge
    private Edge _down;
    private int _thresholdsRaised;
    private int _pressGeneration;
    private readonly List<ITimer> _holdTimers = [];
    private ITimer? _settleTimer;
    private bool _disposed;

    public GestureDetector(string button, ButtonOptions options)
    {
        _button = button;
        _time = options.Time;
        _debounce = options.Debounce < TimeSpan.Zero ? TimeSpan.Zero : options.Debounce;
        _thresholds = [.. options.HoldThresholds.Where(t => t > TimeSpan.Zero).Order()];
    }

    /// <summary>Raised with the lock held, in order; handlers must not block.</summary>
    public event EventHandler<ButtonEvent>? Changed;

    public bool IsPressed => Volatile.Read(ref _pressed);

    /// <summary>Turns a wall-clock hardware stamp (evdev <c>input_event</c> time is
    /// CLOCK_REALTIME) into a timestamp for <see cref="OnEdge"/>, by its age at the read
    /// (<paramref name="wallNow"/>/<paramref name="timestampNow"/>, taken together). A wall
    /// step between two reads then changes nothing, and edges read together keep their
    /// spacing; not clamped, so stamps ahead of this clock keep it too.</summary>
    public static long TimestampFromWallClock(TimeProvider time, DateTimeOffset stamp, DateTimeOffset wallNow, long timestampNow) =>
        timestampNow - (long)((wallNow - stamp).Ticks * (double)time.TimestampFrequency / TimeSpan.TicksPerSecond);

    /// <summary>Feeds one raw edge.</summary>
    /// <param name="timestamp">When the edge happened, in <see cref="TimeProvider.GetTimestamp"/>
    /// units of the options' clock (monotonic); null means now.</param>
    /// <param name="wallTime">The wall-clock time reported in <see cref="ButtonEvent.At"/>
    /// (a label only, never used for durations); null derives it from now.</param>
    public void OnEdge(bool pressed, long? timestamp = null, DateTimeOffset? wallTime = null)
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            long ts = timestamp ?? _time.GetTimestamp();
            var edge = new Edge(ts, wallTime ?? _time.GetUtcNow() - _time.GetElapsedTime(ts));
            // A change held back as possible bounce that then stayed put for the debounce
            // time was real (a late reader can deliver it together with the next edge).
            if (_raw != _pressed && Between(_rawEdge.Ts, ts) >= _debounce)
                Accept(_raw, _rawEdge);
            _raw = pressed;
            _rawEdge = edge;
            if (pressed == _pressed)
                return;
            if (_acceptedAt is not { } accepted || Between(accepted, ts) >= _debounce)
            {
                Accept(pressed, edge);
                return;
            }
            // Inside the bounce window: decide once it has passed, from the last raw state.
            if (_settleTimer is null)
            {
                var due = _debounce - _time.GetElapsedTime(accepted);
                _settleTimer = _time.CreateTimer(_ => Settle(), null, due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Settle()
    {
        lock (_gate)
        {
            _settleTimer?.Dispose();
            _settleTimer = null;
            if (!_disposed && _raw != _pressed)
                Accept(_raw, _rawEdge);
        }
    }

    private void Accept(bool pressed, Edge at)
    {
        _acceptedAt = at.Ts;
        Volatile.Write(ref _pressed, pressed);
        if (pressed)
        {
            _down = at;
            _thresholdsRaised = 0;
            int generation = ++_pressGeneration;
            Raise(ButtonEventKind.Down, TimeSpan.Zero, at.Wall);
            var heldSoFar = _time.GetElapsedTime(at.Ts);
            for (int i = 0; i < _thresholds.Length; i++)
            {
                var due = _thresholds[i] - heldSoFar;
                int index = i;
                _holdTimers.Add(_time.CreateTimer(_ => ThresholdDue(generation, index), null,
                    due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan));
            }
        }
        else
        {
            CancelHoldTimers();
            var held = Between(_down.Ts, at.Ts);
            if (held < TimeSpan.Zero)
                held = TimeSpan.Zero;
            // A late reader may see down and up together: report the crossings it missed first.
            RaiseThresholdsUpTo(held);
            Raise(ButtonEventKind.Up, held, at.Wall);
            bool isHold = _thresholds.Length > 0 && held >= _thresholds[0];
            Raise(isHold ? ButtonEventKind.Hold : ButtonEventKind.Press, held, at.Wall);
        }
    }

    private void ThresholdDue(int generation, int index)
    {
        lock (_gate)
        {
            if (_disposed || generation != _pressGeneration || !_pressed)
                return;
            RaiseThresholdsUpTo(_thresholds[index]);
        }
    }

    private void RaiseThresholdsUpTo(TimeSpan held)
    {
        while (_thresholdsRaised < _thresholds.Length && _thresholds[_thresholdsRaised] <= held)
        {
            var threshold = _thresholds[_thresholdsRaised++];
            Raise(ButtonEventKind.HoldThreshold, threshold, _down.Wall + threshold);
        }
    }

    private TimeSpan Between(long from, long to) => _time.GetElapsedTime(from, to);

    private void Raise(ButtonEventKind kind, TimeSpan duration, DateTimeOffset at) =>
        Changed?.Invoke(this, new ButtonEvent(_button, kind, duration, at));

    private void CancelHoldTimers()
    {
        foreach (var t in _holdTimers)
            t.Dispose();
        _holdTimers.Clear();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            CancelHoldTimers();
            _settleTimer?.Dispose();
            _settleTimer = null;
        }
    }

    /// <summary>An edge's monotonic timestamp (for durations) and wall time (for reports).</summary>
    private readonly record struct Edge(long Ts, DateTimeOffset Wall);
}
