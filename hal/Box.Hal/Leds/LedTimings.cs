namespace Box.Hal.Leds;

/// <summary>On/off times of the blinking patterns, shared by the kernel-trigger
/// driver (timer trigger delays) and the software blinker.</summary>
public static class LedTimings
{
    /// <summary>(on ms, off ms) of patterns driven by the kernel "timer" trigger; null otherwise.</summary>
    public static (int OnMs, int OffMs)? TimerDelays(LedPattern pattern) => pattern switch
    {
        LedPattern.BlinkSlow => (500, 500),
        LedPattern.BlinkFast => (100, 100),
        LedPattern.Pulse => (50, 1950),
        _ => null,
    };

    /// <summary>The pattern whose timer delays are exactly these, if any.</summary>
    public static LedPattern? FromTimerDelays(int onMs, int offMs)
    {
        foreach (var p in Enum.GetValues<LedPattern>())
            if (TimerDelays(p) is { } d && d.OnMs == onMs && d.OffMs == offMs)
                return p;
        return null;
    }

    /// <summary>One period of the pattern as (lit, milliseconds) steps for software
    /// blinking. Heartbeat imitates the kernel trigger: two short flashes per second.</summary>
    public static IReadOnlyList<(bool Lit, int Ms)> SoftwareSteps(LedPattern pattern) => pattern switch
    {
        LedPattern.Heartbeat => [(true, 70), (false, 180), (true, 70), (false, 680)],
        _ when TimerDelays(pattern) is { } d => [(true, d.OnMs), (false, d.OffMs)],
        LedPattern.On => [(true, 0)],
        _ => [(false, 0)],
    };
}
