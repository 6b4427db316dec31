namespace Box.Hal.Leds;

/// <summary>LedPattern ↔ kebab-case text ("off", "on", "blink-slow", "blink-fast",
/// "heartbeat", "pulse"), as printed by <c>box-agent sim leds</c> and accepted in
/// configuration.</summary>
public static class LedPatternNames
{
    private static readonly (LedPattern Pattern, string Name)[] Table =
    [
        (LedPattern.Off, "off"),
        (LedPattern.On, "on"),
        (LedPattern.BlinkSlow, "blink-slow"),
        (LedPattern.BlinkFast, "blink-fast"),
        (LedPattern.Heartbeat, "heartbeat"),
        (LedPattern.Pulse, "pulse"),
    ];

    /// <summary>Every name, in enum order.</summary>
    public static IReadOnlyList<string> All { get; } = Array.ConvertAll(Table, t => t.Name);

    public static string ToName(this LedPattern pattern)
    {
        foreach (var (p, name) in Table)
            if (p == pattern)
                return name;
        throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "unknown LED pattern");
    }

    public static bool TryParse(string? text, out LedPattern pattern)
    {
        foreach (var (p, name) in Table)
        {
            if (string.Equals(name, text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                pattern = p;
                return true;
            }
        }
        pattern = default;
        return false;
    }

    /// <summary>Parses a name; throws ArgumentException listing the valid names.</summary>
    public static LedPattern Parse(string text) =>
        TryParse(text, out var p) ? p
        : throw new ArgumentException($"unknown LED pattern '{text}' (expected one of: {string.Join(", ", All)})", nameof(text));
}
