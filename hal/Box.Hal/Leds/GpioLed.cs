using System.Device.Gpio;

namespace Box.Hal.Leds;

/// <summary>An LED on a raw GPIO line (no kernel LED driver, so no triggers): patterns
/// blink in software on a timer. Brightness is on/off only (any value above 0 lights it).
/// A write that fails on the blink timer is raised as <see cref="Faulted"/>.</summary>
public sealed class GpioLed : ILed
{
    private readonly GpioController _gpio;
    private readonly bool _ownsController;
    private readonly int _pin;
    private readonly bool _activeLow;
    private readonly SoftwareBlinker _blinker;
    private double _brightness = 1.0;

    /// <summary>Opens <paramref name="pin"/> as an output; throws <see cref="HalException"/> naming the LED.</summary>
    public GpioLed(string name, int pin, bool activeLow = false, GpioController? controller = null, TimeProvider? time = null)
    {
        Name = name;
        _pin = pin;
        _activeLow = activeLow;
        _ownsController = controller is null;
        try
        {
            _gpio = controller ?? new GpioController();
            _gpio.OpenPin(pin, PinMode.Output);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (_ownsController)
                _gpio?.Dispose();
            throw new HalException($"LED '{name}': cannot open GPIO pin {pin}: {e.Message}", e);
        }
        _blinker = new SoftwareBlinker(Light, time ?? TimeProvider.System,
            e => Faulted?.Invoke(this, new HalFault($"led {Name}", e.Message)));
        _blinker.Play(LedTimings.SoftwareSteps(LedPattern.Off));
    }

    public string Name { get; }

    public LedPattern Pattern { get; private set; } = LedPattern.Off;

    public event EventHandler<HalFault>? Faulted;

    public double Brightness
    {
        get => _brightness;
        set
        {
            _brightness = Math.Clamp(value, 0.0, 1.0);
            SetPattern(Pattern);
        }
    }

    public void SetPattern(LedPattern pattern)
    {
        _blinker.Play(LedTimings.SoftwareSteps(_brightness > 0 ? pattern : LedPattern.Off));
        Pattern = pattern;
    }

    private void Light(bool lit)
    {
        try
        {
            _gpio.Write(_pin, lit != _activeLow ? PinValue.High : PinValue.Low);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw new HalException($"LED '{Name}': cannot write GPIO pin {_pin}: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        _blinker.Dispose();
        try { Light(false); } catch (HalException) { }
        if (_ownsController)
            _gpio.Dispose();
        else
            _gpio.ClosePin(_pin);
    }
}
