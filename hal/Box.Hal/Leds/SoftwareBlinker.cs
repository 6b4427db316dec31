namespace Box.Hal.Leds;

/// <summary>Plays a pattern's (lit, duration) steps on a timer, for LEDs that have
/// no kernel trigger (raw GPIO). One timer callback per step, nothing in between.
/// A step that fails on the timer thread goes to the fault callback (once per run of
/// failures, so a dead line blinking at 5 Hz does not flood it) and blinking goes on.</summary>
public sealed class SoftwareBlinker : IDisposable
{
    private readonly Action<bool> _set;
    private readonly TimeProvider _time;
    private readonly Action<HalException>? _fault;
    private bool _failing;
    private readonly object _gate = new();
    private ITimer? _timer;
    private IReadOnlyList<(bool Lit, int Ms)> _steps = [];
    private int _index;
    private int _generation;

    /// <param name="set">Lights the LED or not; throws <see cref="HalException"/> on failure.</param>
    /// <param name="fault">Told about failures of timer-driven steps (raised on the timer thread).</param>
    public SoftwareBlinker(Action<bool> set, TimeProvider time, Action<HalException>? fault = null)
    {
        _set = set;
        _time = time;
        _fault = fault;
    }

    public void Play(IReadOnlyList<(bool Lit, int Ms)> steps)
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
            _generation++;
            _steps = steps;
            _index = 0;
            _set(steps[0].Lit);
            if (steps.Count > 1)
            {
                int generation = _generation;
                _timer = _time.CreateTimer(_ => Advance(generation), null, TimeSpan.FromMilliseconds(steps[0].Ms), Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Advance(int generation)
    {
        lock (_gate)
        {
            if (generation != _generation || _timer is null)
                return;
            _index = (_index + 1) % _steps.Count;
            var (lit, ms) = _steps[_index];
            try
            {
                _set(lit);
                _failing = false;
            }
            catch (HalException e) when (!_failing)
            {
                // A timer thread has nobody to throw to: report it, keep blinking (it may recover).
                _failing = true;
                _fault?.Invoke(e);
            }
            catch (HalException)
            {
                // Still failing; already reported.
            }
            _timer.Change(TimeSpan.FromMilliseconds(ms), Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _generation++;
            _timer?.Dispose();
            _timer = null;
        }
    }
}
