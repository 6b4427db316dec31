using System.Text.Json.Nodes;
using Box.Agent.Configuration;
using Box.Agent.Indication;
using Box.Hal;

namespace Box.Agent.Supervision;

/// <summary>What a released button meant, by how long it was held.</summary>
public enum Gesture { Press, PairingHold, FactoryResetHold }

public sealed partial class Supervisor
{
    private readonly Dictionary<string, string> _buttonRoles = new(StringComparer.Ordinal);
    private HoldFeedback _hold;

    /// <summary>Classifies a hold by the configured thresholds (not the HAL's,
    /// so a desired config can change them without reopening the board).</summary>
    public static Gesture Classify(TimeSpan held, PairingConfig p) =>
        held >= TimeSpan.FromSeconds(p.FactoryResetHoldSeconds) ? Gesture.FactoryResetHold
        : held >= TimeSpan.FromSeconds(p.HoldSeconds) ? Gesture.PairingHold
        : Gesture.Press;

    private void OnButton(ButtonEvent e)
    {
        var role = _buttonRoles.GetValueOrDefault(e.Button, e.Button);
        var isReset = role == ButtonRoles.Reset;
        switch (e.Kind)
        {
            case ButtonEventKind.Down:
                _log.Debug($"button {role}: down");
                break;
            case ButtonEventKind.HoldThreshold when isReset:
                // Feedback while still held: the LEDs say what releasing now will do.
                var gesture = Classify(e.Duration, _config.Effective.Pairing);
                if (gesture == Gesture.FactoryResetHold)
                {
                    _hold = HoldFeedback.FactoryReset;
                    _log.Info($"button {role}: held {e.Duration.TotalSeconds:0} s, release for a factory reset");
                }
                else if (gesture == Gesture.PairingHold && _hold != HoldFeedback.FactoryReset)
                {
                    _hold = HoldFeedback.Pairing;
                    _log.Info($"button {role}: held {e.Duration.TotalSeconds:0} s, release to open the pairing window");
                }
                break;
            case ButtonEventKind.Press or ButtonEventKind.Hold:
                _hold = HoldFeedback.None;
                OnGesture(role, isReset, e);
                break;
        }
    }

    private void OnGesture(string role, bool isReset, ButtonEvent e)
    {
        var fields = new JsonObject { ["button"] = role, ["ms"] = (long)e.Duration.TotalMilliseconds };
        var gesture = isReset
            ? Classify(e.Duration, _config.Effective.Pairing)
            : e.Kind == ButtonEventKind.Hold ? Gesture.PairingHold : Gesture.Press;
        if (gesture == Gesture.Press)
        {
            _log.Info($"button {role}: press ({e.Duration.TotalMilliseconds:0} ms)");
            _link?.PublishEvent("button.press", fields);
            return;
        }
        _log.Info($"button {role}: hold ({e.Duration.TotalMilliseconds:0} ms)");
        _link?.PublishEvent("button.hold", fields);
        if (!isReset) return;
        if (gesture == Gesture.FactoryResetHold)
            FactoryReset();
        else
            OpenPairingWindow();
    }

    private void OnButtonFault(HalFault fault)
    {
        _activeErrors[$"button:{fault.Part}"] = fault.Message;
        ReportError("button", fault.ToString());
    }
}
