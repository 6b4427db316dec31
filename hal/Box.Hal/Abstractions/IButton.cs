namespace Box.Hal;

public enum ButtonEventKind
{
    /// <summary>Debounced press edge.</summary>
    Down,
    /// <summary>Debounced release edge; <see cref="ButtonEvent.Duration"/> is how long it was held.</summary>
    Up,
    /// <summary>Still held and a hold threshold was just crossed (for feedback while held);
    /// <see cref="ButtonEvent.Duration"/> is the threshold.</summary>
    HoldThreshold,
    /// <summary>Released before the first hold threshold: a short press.</summary>
    Press,
    /// <summary>Released after at least one hold threshold; Duration is the full hold.</summary>
    Hold,
}

/// <summary>A debounced button edge or gesture.</summary>
public readonly record struct ButtonEvent(string Button, ButtonEventKind Kind, TimeSpan Duration, DateTimeOffset At);

/// <summary>A push button with gesture detection (press, hold with duration).</summary>
public interface IButton : IDisposable
{
    string Name { get; }

    /// <summary>True while the button is held down (debounced).</summary>
    bool IsPressed { get; }

    /// <summary>Raised on the driver's reader thread; handlers must not block.</summary>
    event EventHandler<ButtonEvent>? Changed;

    /// <summary>Starts reading the device. Errors after start are reported through
    /// <see cref="Faulted"/>, never thrown on the reader thread.</summary>
    void Start();

    /// <summary>Raised when the device becomes unreadable (unplugged, permission).</summary>
    event EventHandler<HalFault>? Faulted;
}
