using System.Globalization;

namespace Box.Hal.Leds;

/// <summary>An LED of the kernel LED class, <c>{root}/sys/class/leds/&lt;name&gt;</c>.
/// Patterns map to kernel triggers (timer, heartbeat), so blinking costs no CPU.
/// A missing <c>max_brightness</c> (hand-made trees) is taken as 1, i.e. a plain
/// on/off LED; the kernel always provides it.</summary>
public sealed class SysfsLed : ILed
{
    private readonly string _dir;
    private readonly int _maxBrightness;
    private double _brightness = 1.0;

    /// <summary>Opens the LED; throws <see cref="HalException"/> naming it when its directory is missing.</summary>
    public SysfsLed(string root, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _dir = System.IO.Path.Combine(root, "sys/class/leds", name);
        if (!Directory.Exists(_dir))
            throw new HalException($"LED '{name}': {_dir} not found");
        _maxBrightness = ReadInt(System.IO.Path.Combine(_dir, "max_brightness")) is int max and > 0 ? max : 1;
    }

    public string Name { get; }

    /// <summary>The LED's sysfs directory.</summary>
    public string DirectoryPath => _dir;

    public LedPattern Pattern { get; private set; } = LedPattern.Off;

    /// <summary>Never raised: the kernel blinks, so every failure is thrown by SetPattern.</summary>
    public event EventHandler<HalFault>? Faulted { add { } remove { } }

    public double Brightness
    {
        get => _brightness;
        set
        {
            _brightness = Math.Clamp(value, 0.0, 1.0);
            if (Pattern != LedPattern.Off)
                Write("brightness", LitLevel());
        }
    }

    public void SetPattern(LedPattern pattern)
    {
        switch (pattern)
        {
            case LedPattern.Off:
                Write("trigger", "none");
                Write("brightness", "0");
                break;
            case LedPattern.On:
                Write("trigger", "none");
                Write("brightness", LitLevel());
                break;
            case LedPattern.Heartbeat:
                Write("trigger", "heartbeat");
                break;
            default:
                var (on, off) = LedTimings.TimerDelays(pattern)
                    ?? throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "unknown LED pattern");
                // The kernel creates delay_on/delay_off only once the timer trigger is set.
                Write("trigger", "timer");
                Write("delay_on", on.ToString(CultureInfo.InvariantCulture));
                Write("delay_off", off.ToString(CultureInfo.InvariantCulture));
                break;
        }
        if (pattern is not (LedPattern.Off or LedPattern.On) && _brightness < 1.0)
            Write("brightness", LitLevel()); // sets the blink brightness; 0 would stop the trigger
        Pattern = pattern;
    }

    /// <summary>Decodes what an LED directory shows, from its trigger, delays and
    /// brightness (the reverse of <see cref="SetPattern"/>). Returns the pattern, or
    /// null with a description such as "trigger mmc0" when it is not one of ours.</summary>
    public static (LedPattern? Pattern, string Description) ReadPattern(string ledDir)
    {
        string trigger = ReadText(System.IO.Path.Combine(ledDir, "trigger")) is { } t ? CurrentTrigger(t) : "none";
        int brightness = ReadInt(System.IO.Path.Combine(ledDir, "brightness")) ?? 0;
        LedPattern? pattern = trigger switch
        {
            "none" => brightness > 0 ? LedPattern.On : LedPattern.Off,
            "default-on" => LedPattern.On,
            "heartbeat" => LedPattern.Heartbeat,
            "timer" => LedTimings.FromTimerDelays(
                ReadInt(System.IO.Path.Combine(ledDir, "delay_on")) ?? -1,
                ReadInt(System.IO.Path.Combine(ledDir, "delay_off")) ?? -1),
            _ => null,
        };
        if (pattern is { } p)
            return (p, p.ToName());
        if (trigger == "timer")
            return (null, $"timer {ReadInt(System.IO.Path.Combine(ledDir, "delay_on"))}/{ReadInt(System.IO.Path.Combine(ledDir, "delay_off"))} ms");
        return (null, $"trigger {trigger}");
    }

    /// <summary>The kernel lists every trigger with the active one in brackets
    /// ("none [timer] heartbeat"); a plain file holds just the one written.</summary>
    private static string CurrentTrigger(string text)
    {
        int open = text.IndexOf('[', StringComparison.Ordinal);
        int close = open >= 0 ? text.IndexOf(']', open) : -1;
        return (close > open ? text[(open + 1)..close] : text).Trim();
    }

    private string LitLevel() =>
        Math.Max(1, (int)Math.Round(_brightness * _maxBrightness)).ToString(CultureInfo.InvariantCulture);

    private void Write(string file, string value)
    {
        string path = System.IO.Path.Combine(_dir, file);
        try
        {
            File.WriteAllText(path, value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HalException($"LED '{Name}': cannot write '{value}' to {path}: {e.Message}", e);
        }
    }

    private static string? ReadText(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static int? ReadInt(string path) =>
        int.TryParse(ReadText(path)?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;

    /// <summary>Leaves the LED showing whatever it shows; the kernel owns it.</summary>
    public void Dispose() { }
}
