using Box.Hal;
using Box.Hal.Buttons;

namespace Box.FleetSim.Fleet;

/// <summary>Reads the simulated reset buttons of every box in the fleet from one
/// thread. The HAL's <see cref="InputEventButton"/> gives each button its own
/// reader thread, fine for one box, 10,000 threads for a fleet; here one thread
/// looks at each box's <c>dev/input/event0</c> in turn (a stat, and a read only
/// when it grew), paced to <see cref="ChecksPerSecond"/>, so a press is noticed
/// within Count / ChecksPerSecond seconds (at least <see cref="MinPeriod"/>).
/// Durations still come from the records' timestamps (the gesture detector
/// takes them), so a late look does not change what the press was.</summary>
public sealed class ButtonPoller : IDisposable
{
    public const int ChecksPerSecond = 5000;
    public static readonly TimeSpan MinPeriod = TimeSpan.FromMilliseconds(200);
    private const int Batch = 250;

    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private PolledButton[] _buttons = [];
    private Thread? _thread;

    public PolledButton Add(string name, string devicePath, ushort keyCode, ButtonOptions options)
    {
        var button = new PolledButton(this, name, devicePath, keyCode, options);
        lock (_gate)
        {
            _buttons = [.. _buttons, button];
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "fleet buttons" };
                _thread.Start();
            }
        }
        return button;
    }

    internal void Remove(PolledButton button)
    {
        lock (_gate)
            _buttons = [.. _buttons.Where(b => b != button)];
    }

    private void Run()
    {
        var wait = _stop.Token.WaitHandle;
        while (!_stop.IsCancellationRequested)
        {
            var started = Environment.TickCount64;
            var buttons = Volatile.Read(ref _buttons);
            for (var i = 0; i < buttons.Length && !_stop.IsCancellationRequested; i++)
            {
                buttons[i].Poll();
                if ((i + 1) % Batch == 0)
                    wait.WaitOne(TimeSpan.FromSeconds((double)Batch / ChecksPerSecond));
            }
            var rest = MinPeriod - TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
            if (rest > TimeSpan.Zero)
                wait.WaitOne(rest);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(2));
        _stop.Dispose();
    }
}

/// <summary>A simulated reset button read by the <see cref="ButtonPoller"/>:
/// new <c>input_event</c> records appended to the device file since the last
/// look drive the HAL's <see cref="GestureDetector"/>.</summary>
public sealed class PolledButton : IButton
{
    private readonly ButtonPoller _poller;
    private readonly ushort _keyCode;
    private readonly GestureDetector _detector;
    private readonly TimeProvider _time;
    private readonly int _recordSize = InputEvent.NativeSize;
    private long _offset = -1; // -1: not started
    private bool _faulted;

    internal PolledButton(ButtonPoller poller, string name, string devicePath, ushort keyCode, ButtonOptions options)
    {
        _poller = poller;
        Name = name;
        DevicePath = devicePath;
        _keyCode = keyCode;
        if (!File.Exists(devicePath))
            throw new HalException($"button '{name}': {devicePath} not found");
        _detector = new GestureDetector(name, options);
        _time = options.Time;
        _detector.Changed += (_, e) => Changed?.Invoke(this, e);
    }

    public string Name { get; }
    public string DevicePath { get; }
    public bool IsPressed => _detector.IsPressed;
    public event EventHandler<ButtonEvent>? Changed;
    public event EventHandler<HalFault>? Faulted;

    /// <summary>Presses recorded before the start are history, not input.</summary>
    public void Start() => Volatile.Write(ref _offset, new FileInfo(DevicePath).Length);

    internal void Poll()
    {
        var offset = Volatile.Read(ref _offset);
        if (offset < 0 || _faulted)
            return;
        try
        {
            var info = new FileInfo(DevicePath);
            var whole = (info.Length - offset) / _recordSize * _recordSize;
            if (whole <= 0)
                return;
            var bytes = new byte[whole];
            using (var handle = File.OpenHandle(DevicePath))
                whole = RandomAccess.Read(handle, bytes, offset) / _recordSize * _recordSize;
            // Stamps are wall time: timed by their age at this read, as the evdev driver does.
            var wallNow = _time.GetUtcNow();
            long timestampNow = _time.GetTimestamp();
            for (var at = 0; at < whole; at += _recordSize)
            {
                var ev = InputEvent.Decode(bytes.AsSpan(at, _recordSize), Environment.Is64BitProcess);
                if (ev.Type == InputEvent.EV_KEY && ev.Code == _keyCode && ev.Value is 0 or 1)
                    _detector.OnEdge(ev.Value == 1, GestureDetector.TimestampFromWallClock(_time, ev.Time, wallNow, timestampNow), ev.Time);
            }
            Volatile.Write(ref _offset, offset + whole);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _faulted = true;
            Faulted?.Invoke(this, new HalFault($"button {Name}", $"{DevicePath} unreadable: {e.Message}"));
        }
    }

    public void Dispose()
    {
        _poller.Remove(this);
        _detector.Dispose();
    }
}
