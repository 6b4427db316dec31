using Box.Agent.Indication;
using Box.Hal;

namespace Box.Agent.Supervision.Concerns;

/// <summary>The board's LEDs as an output: each is written only when the
/// pattern the policy chose for it changed. An LED that refuses a pattern, or
/// fails later on its own blink timer (a GPIO LED), is reported once and shown
/// as a problem until it takes a pattern again.</summary>
public sealed class LedConcern(ConcernContext context, IReadOnlyDictionary<string, ILed> leds, SupervisorInbox inbox) : SupervisorConcern(context)
{
    private readonly Dictionary<string, LedPattern> _shown = new(StringComparer.Ordinal);
    /// <summary>LEDs that are failing, by role.</summary>
    private readonly Dictionary<string, string> _failing = new(StringComparer.Ordinal);

    public override void Start()
    {
        foreach (var (role, led) in leds)
            led.Faulted += (_, fault) => inbox.Post(new SupervisorInput.LedFault(role, fault));
    }

    public override ValueTask<bool> HandleAsync(SupervisorInput input)
    {
        if (input is not SupervisorInput.LedFault f) return ValueTask.FromResult(false);
        Fail(f.Role, f.Fault.Message);
        return ValueTask.FromResult(true);
    }

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
                _failing.Remove(role);
            }
            catch (Exception e) when (e is HalException or IOException or UnauthorizedAccessException)
            {
                _shown.Remove(role); // retried on the next change
                Fail(role, e.Message);
            }
        }
    }

    private void Fail(string role, string message)
    {
        if (_failing.TryAdd(role, message)) Context.ReportError($"{role}: {message}");
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
                Context.Log.Warn($"led {role}: {e.Message}");
            }
        }
    }

    public override void Contribute(SupervisorView view)
    {
        foreach (var (role, message) in _failing.OrderBy(f => f.Key, StringComparer.Ordinal))
            view.Errors.Add($"led:{role}: {message}");
    }
}
