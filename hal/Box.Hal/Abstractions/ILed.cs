namespace Box.Hal;

/// <summary>What an LED shows. Drivers map each pattern to the cheapest
/// mechanism the hardware has (kernel triggers on sysfs LEDs, so a blinking
/// LED costs no CPU).</summary>
public enum LedPattern
{
    Off,
    On,
    /// <summary>1 Hz blink (500 ms on / 500 ms off).</summary>
    BlinkSlow,
    /// <summary>5 Hz blink (100 ms on / 100 ms off).</summary>
    BlinkFast,
    /// <summary>Double flash like the kernel heartbeat trigger.</summary>
    Heartbeat,
    /// <summary>Short flash every 2 s (50 ms on / 1950 ms off).</summary>
    Pulse,
}

/// <summary>One status LED.</summary>
public interface ILed : IDisposable
{
    /// <summary>Name as the board knows it (sysfs name or profile name).</summary>
    string Name { get; }

    /// <summary>The pattern last set.</summary>
    LedPattern Pattern { get; }

    /// <summary>Brightness of the lit phases, 0.0–1.0 of the LED's maximum.</summary>
    double Brightness { get; set; }

    /// <summary>Shows <paramref name="pattern"/>. Throws <see cref="HalException"/>
    /// naming the LED when the hardware refuses it.</summary>
    void SetPattern(LedPattern pattern);

    /// <summary>Raised when the LED fails where nobody can catch a throw (a software
    /// blink step on a timer thread): once per run of failures, again only after a
    /// write succeeded in between. Handlers must not block.</summary>
    event EventHandler<HalFault>? Faulted;
}
