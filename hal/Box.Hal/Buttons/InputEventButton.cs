namespace Box.Hal.Buttons;

/// <summary>A key of an evdev input device (gpio-keys on most boards), read as
/// <c>struct input_event</c> records from <c>/dev/input/eventN</c>. EV_KEY records of
/// the key code drive a <see cref="GestureDetector"/> with their kernel timestamps,
/// taken relative to the moment they are read so a wall-clock step between a press
/// and its release does not change the hold (1 = down, 0 = up; 2 = autorepeat is ignored). On the simulated board the device
/// is a regular file that <c>box-agent sim press</c> appends to; it is tailed.</summary>
public sealed class InputEventButton : IButton
{
    private readonly Interop.StreamFollower _device;
    private readonly ushort _keyCode;
    private readonly bool _wide;
    private readonly GestureDetector _detector;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Thread? _reader;

    /// <summary>Opens <paramref name="devicePath"/> (a full path); throws
    /// <see cref="HalException"/> naming the button and device when it cannot be read.</summary>
    /// <param name="wideRecords">24-byte records (64-bit) or 16-byte (32-bit); null = this process's layout.</param>
    public InputEventButton(string name, string devicePath, ushort keyCode, ButtonOptions? options = null, bool? wideRecords = null)
    {
        Name = name;
        DevicePath = devicePath;
        _keyCode = keyCode;
        _wide = wideRecords ?? Environment.Is64BitProcess;
        try
        {
            _device = new Interop.StreamFollower(devicePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HalException($"button '{name}': cannot read {devicePath}: {e.Message}", e);
        }
        options ??= new ButtonOptions();
        _time = options.Time;
        _detector = new GestureDetector(name, options);
        _detector.Changed += (_, e) => Changed?.Invoke(this, e);
    }

    public string Name { get; }

    public string DevicePath { get; }

    public bool IsPressed => _detector.IsPressed;

    public event EventHandler<ButtonEvent>? Changed;

    public event EventHandler<HalFault>? Faulted;

    public void Start()
    {
        if (_reader is not null)
            return;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"button {Name}" };
        _reader.Start();
    }

    private void ReadLoop()
    {
        int size = InputEvent.SizeOf(_wide);
        var buffer = new byte[size * 64];
        int filled = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int n = _device.Read(buffer.AsSpan(filled), _stop.Token);
                if (n == 0)
                    break;
                filled += n;
                // Kernel stamps are wall time (CLOCK_REALTIME) and jump when NTP steps the
                // clock. Each event's age at this read is not affected by a step between two
                // reads, so it is turned into a monotonic timestamp here; events read together
                // keep their exact spacing (a late reader still measures true durations).
                var wallNow = _time.GetUtcNow();
                long monoNow = _time.GetTimestamp();
                int used = 0;
                for (; filled - used >= size; used += size)
                {
                    var ev = InputEvent.Decode(buffer.AsSpan(used, size), _wide);
                    if (ev.Type == InputEvent.EV_KEY && ev.Code == _keyCode && ev.Value is 0 or 1)
                        _detector.OnEdge(ev.Value == 1, GestureDetector.TimestampFromWallClock(_time, ev.Time, wallNow, monoNow), ev.Time);
                }
                // Keep a partial record for the next read.
                buffer.AsSpan(used, filled - used).CopyTo(buffer);
                filled -= used;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested)
                Faulted?.Invoke(this, new HalFault($"button {Name}", $"{DevicePath} unreadable: {e.Message}"));
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _reader?.Join(TimeSpan.FromSeconds(2));
        _device.Dispose();
        _detector.Dispose();
        _stop.Dispose();
    }
}
