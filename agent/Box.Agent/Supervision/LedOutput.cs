using Box.Agent.Indication;
using Box.Hal;

namespace Box.Agent.Supervision;

/// <summary>Drives the board's LEDs to the patterns the policy chose: each
/// LED is written only when its pattern changed; one that refuses is reported
/// once and retried on the next change.</summary>
internal sealed class LedOutput(IReadOnlyDictionary<string, ILed> leds, ConcernContext context)
{
    private readonly Dictionary<string, LedPattern> _shown = new(StringComparer.Ordinal);
    private readonly HashSet<string> _failed = new(StringComparer.Ordinal);

    public void Show(LedPatterns patterns)
    {
        foreach (var (role, led) in leds)
        {
            var pattern = patterns.ForRole(role);
            if (_shown.TryGetValue(role, out var shown) && shown == pattern) continue;
            try
            {
                led.SetPattern(pattern);
                _shown[role] = pattern;
                _failed.Remove(role);
            }
            catch (Exception e) when (e is HalException or IOException or UnauthorizedAccessException)
            {
                if (_failed.Add(role)) context.ReportError($"{role}: {e.Message}");
            }
        }
    }

    /// <summary>On stop: every LED off (best effort).</summary>
    public void AllOff()
    {
        foreach (var (role, led) in leds)
        {
            try
            {
                led.SetPattern(LedPattern.Off);
            }
            catch (Exception e) when (e is HalException or IOException or UnauthorizedAccessException)
            {
                context.Log.Warn($"led {role}: {e.Message}");
            }
        }
    }
}
