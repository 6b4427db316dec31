using System.Collections.Concurrent;
using System.Device.Gpio;

namespace Box.Hal.Tests.Support;

/// <summary>A GPIO chip in memory, for <c>new GpioController(driver)</c>: records pin
/// modes and writes, can fail writes on demand and fires edge callbacks like the
/// kernel would. Hand-written rather than Moq: the driver seam is protected members
/// plus callbacks that the test must invoke.</summary>
public sealed class FakeGpioDriver : GpioDriver
{
    private readonly ConcurrentDictionary<int, PinValue> _values = new();
    private readonly ConcurrentDictionary<int, PinMode> _modes = new();
    private readonly ConcurrentDictionary<int, PinChangeEventHandler> _callbacks = new();
    private readonly ConcurrentQueue<(int Pin, PinValue Value)> _writes = new();

    /// <summary>When set, opening a pin throws it.</summary>
    public Exception? FailOpen { get; set; }

    /// <summary>When set, every Write throws what it returns (null = succeed).</summary>
    public Func<int, PinValue, Exception?>? FailWrite { get; set; }

    public IReadOnlyList<(int Pin, PinValue Value)> Writes => [.. _writes];
    public IReadOnlyCollection<int> OpenPins => [.. _modes.Keys];
    public PinMode? ModeOf(int pin) => _modes.TryGetValue(pin, out var m) ? m : null;
    public PinValue? ValueOf(int pin) => _values.TryGetValue(pin, out var v) ? v : null;
    public bool HasCallback(int pin) => _callbacks.ContainsKey(pin);

    /// <summary>Drives the line to <paramref name="value"/> and fires its callback (on the caller's thread).</summary>
    public void Drive(int pin, PinValue value)
    {
        _values[pin] = value;
        if (_callbacks.TryGetValue(pin, out var callback))
            callback(this, new PinValueChangedEventArgs(value == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling, pin));
    }

    protected override int PinCount => 64;
    protected override void OpenPin(int pinNumber)
    {
        if (FailOpen is { } e)
            throw e;
        _modes[pinNumber] = PinMode.Input;
    }
    protected override void ClosePin(int pinNumber)
    {
        _modes.TryRemove(pinNumber, out _);
        _callbacks.TryRemove(pinNumber, out _);
    }
    protected override void SetPinMode(int pinNumber, PinMode mode) => _modes[pinNumber] = mode;
    protected override PinMode GetPinMode(int pinNumber) => _modes[pinNumber];
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;
    protected override PinValue Read(int pinNumber) => _values.GetValueOrDefault(pinNumber, PinValue.Low);
    protected override void Write(int pinNumber, PinValue value)
    {
        if (FailWrite?.Invoke(pinNumber, value) is { } e)
            throw e;
        _values[pinNumber] = value;
        _writes.Enqueue((pinNumber, value));
    }
    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        _callbacks[pinNumber] = callback;
    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        _callbacks.TryRemove(pinNumber, out _);
}
