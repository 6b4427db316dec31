namespace Box.Hal.Buttons;

/// <summary>Turns raw button edges into debounced Down/Up edges and gestures:
/// HoldThreshold while held (once per threshold crossed, from a timer), then Press
/// (released before the first threshold) or Hold (released after it).
/// Pure logic over a <see cref="TimeProvider"/>: drivers feed it edges with the
/// timestamps the hardware reported, so a reader that wakes late does not stretch
/// or shrink durations.</summary>
public sealed class GestureDetector : IDisposable
{
    private readonly string _button;
    private readonly TimeProvider _time;
    private readonly TimeSpan _debounce;
    private readonly TimeSpan[] _thresholds;
    private readonly object _gate = new();

    private bool _pressed;           // debounced state
    private bool _raw;               // last raw state seen
    private DateTimeOffset _rawAt;
    private DateTimeOffset _acceptedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _downAt;
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

    /// <summary>Feeds one raw edge. <paramref name="at"/> is the hardware timestamp
    /// (input_event time); null means now.</summary>
    public void OnEdge(bool pressed, DateTimeOffset? at = null)
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            var when = at ?? _time.GetUtcNow();
            // A change held back as possible bounce that then stayed put for the debounce
            // time was real (a late reader can deliver it together with the next edge).
            if (_raw != _pressed && when - _rawAt >= _debounce)
                Accept(_raw, _rawAt);
            _raw = pressed;
            _rawAt = when;
            if (pressed == _pressed)
                return;
            if (when - _acceptedAt >= _debounce)
            {
                Accept(pressed, when);
                return;
            }
            // Inside the bounce window: decide once it has passed, from the last raw state.
            if (_settleTimer is null)
            {
                var due = _acceptedAt + _debounce - _time.GetUtcNow();
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
                Accept(_raw, _rawAt);
        }
    }

    private void Accept(bool pressed, DateTimeOffset at)
    {
        _acceptedAt = at;
        Volatile.Write(ref _pressed, pressed);
        if (pressed)
        {
            _downAt = at;
            _thresholdsRaised = 0;
            int generation = ++_pressGeneration;
            Raise(ButtonEventKind.Down, TimeSpan.Zero, at);
            var now = _time.GetUtcNow();
            for (int i = 0; i < _thresholds.Length; i++)
            {
                var due = at + _thresholds[i] - now;
                int index = i;
                _holdTimers.Add(_time.CreateTimer(_ => ThresholdDue(generation, index), null,
                    due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan));
            }
        }
        else
        {
            CancelHoldTimers();
            var held = at - _downAt;
            if (held < TimeSpan.Zero)
                held = TimeSpan.Zero;
            // A late reader may see down and up together: report the crossings it missed first.
            RaiseThresholdsUpTo(held);
            Raise(ButtonEventKind.Up, held, at);
            bool isHold = _thresholds.Length > 0 && held >= _thresholds[0];
            Raise(isHold ? ButtonEventKind.Hold : ButtonEventKind.Press, held, at);
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
            Raise(ButtonEventKind.HoldThreshold, threshold, _downAt + threshold);
        }
    }

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
}
