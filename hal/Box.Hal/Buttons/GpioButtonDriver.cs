using System.Device.Gpio;

namespace Box.Hal.Buttons;

/// <summary>A push button on a raw GPIO line: the controller's edge callbacks feed the
/// same <see cref="GestureDetector"/> as the evdev driver, which also debounces.
/// Iot.Device.Bindings' GpioButton is not used: its debounce compares
/// <c>DateTime.UtcNow</c> ticks, so an NTP step back on a board without an RTC would
/// drop every edge for hours. Edges are stamped on the monotonic clock when the
/// callback runs (the GPIO character device gives no timestamps here).</summary>
public sealed class GpioButtonDriver : IButton
{
    private readonly int _pin;
    private readonly bool _activeLow;
    private readonly GpioController _gpio;
    private readonly bool _ownsController;
    private readonly GestureDetector _detector;
    private bool _started;

    /// <param name="activeLow">True when pressing pulls the line low (pull-up wiring, the usual case).</param>
    public GpioButtonDriver(string name, int pin, bool activeLow = true, ButtonOptions? options = null, GpioController? controller = null)
    {
        Name = name;
        _pin = pin;
        _activeLow = activeLow;
        _ownsController = controller is null;
        _detector = new GestureDetector(name, options ?? new ButtonOptions());
        _detector.Changed += (_, e) => Changed?.Invoke(this, e);
        try
        {
            _gpio = controller ?? new GpioController();
            // The SoC's internal pull resistor holds the idle level.
            _gpio.OpenPin(pin, activeLow ? PinMode.InputPullUp : PinMode.InputPullDown);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _detector.Dispose();
            if (_ownsController)
                _gpio?.Dispose();
            throw new HalException($"button '{name}': cannot open GPIO pin {pin}: {e.Message}", e);
        }
    }

    public string Name { get; }

    public bool IsPressed => _detector.IsPressed;

    public event EventHandler<ButtonEvent>? Changed;

    public event EventHandler<HalFault>? Faulted { add { } remove { } }

    /// <summary>Starts passing edges on. The controller reports only edges, so the line
    /// cannot become unreadable later and <see cref="Faulted"/> is never raised.</summary>
    public void Start()
    {
        if (_started)
            return;
        try
        {
            _gpio.RegisterCallbackForPinValueChangedEvent(_pin, PinEventTypes.Rising | PinEventTypes.Falling, OnPinChanged);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new HalException($"button '{Name}': cannot watch GPIO pin {_pin}: {e.Message}", e);
        }
        _started = true;
    }

    private void OnPinChanged(object sender, PinValueChangedEventArgs e) =>
        _detector.OnEdge(pressed: (e.ChangeType == PinEventTypes.Falling) == _activeLow);

    public void Dispose()
    {
        if (_started)
            _gpio.UnregisterCallbackForPinValueChangedEvent(_pin, OnPinChanged);
        _detector.Dispose();
        if (_ownsController)
            _gpio.Dispose();
        else
            _gpio.ClosePin(_pin);
    }
}
