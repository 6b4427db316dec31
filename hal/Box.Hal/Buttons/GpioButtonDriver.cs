using System.Device.Gpio;
using Iot.Device.Button;

namespace Box.Hal.Buttons;

/// <summary>A push button on a raw GPIO line, read through Iot.Device.Bindings'
/// <see cref="GpioButton"/> (edge interrupts + its debounce), feeding the same
/// <see cref="GestureDetector"/> as the evdev driver. GpioButton gives no hardware
/// timestamps, so edges are stamped when its callback runs.</summary>
public sealed class GpioButtonDriver : IButton
{
    private readonly int _pin;
    private readonly bool _activeLow;
    private readonly GpioController? _controller;
    private readonly TimeSpan _debounce;
    private readonly GestureDetector _detector;
    private readonly GpioButton _button;
    private bool _started;

    /// <param name="activeLow">True when pressing pulls the line low (pull-up wiring, the usual case).</param>
    public GpioButtonDriver(string name, int pin, bool activeLow = true, ButtonOptions? options = null, GpioController? controller = null)
    {
        Name = name;
        _pin = pin;
        _activeLow = activeLow;
        _controller = controller;
        options ??= new ButtonOptions();
        _debounce = options.Debounce;
        _detector = new GestureDetector(name, options with { Debounce = TimeSpan.Zero }); // GpioButton debounces
        _detector.Changed += (_, e) => Changed?.Invoke(this, e);
        try
        {
            // isPullUp = active-low wiring; the SoC's internal pull resistor is used.
            _button = new GpioButton(_pin, isPullUp: _activeLow, hasExternalResistor: false,
                gpio: _controller, shouldDispose: _controller is null, debounceTime: _debounce);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _detector.Dispose();
            throw new HalException($"button '{name}': cannot open GPIO pin {pin}: {e.Message}", e);
        }
    }

    public string Name { get; }

    public bool IsPressed => _detector.IsPressed;

    public event EventHandler<ButtonEvent>? Changed;

    public event EventHandler<HalFault>? Faulted { add { } remove { } }

    /// <summary>Starts passing edges on. GpioButton reports only edges, so the line
    /// cannot become unreadable later and <see cref="Faulted"/> is never raised.</summary>
    public void Start()
    {
        if (_started)
            return;
        _started = true;
        _button.ButtonDown += (_, _) => _detector.OnEdge(true);
        _button.ButtonUp += (_, _) => _detector.OnEdge(false);
    }

    public void Dispose()
    {
        _button.Dispose();
        _detector.Dispose();
    }
}
