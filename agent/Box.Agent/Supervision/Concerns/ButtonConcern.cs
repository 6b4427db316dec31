using System.Text.Json.Nodes;
using Box.Agent.Configuration;
using Box.Agent.Indication;
using Box.Hal;

namespace Box.Agent.Supervision.Concerns;

/// <summary>What a released button meant, by how long it was held.</summary>
public enum Gesture { Press, PairingHold, FactoryResetHold }

/// <summary>The board's buttons: <c>button.press</c>/<c>button.hold</c> events,
/// LED feedback while the reset button is held, and what a reset hold starts
/// (the pairing window, or a factory reset).</summary>
public sealed class ButtonConcern(
    ConcernContext context, IBoard board, ConfigLayers config, SupervisorInbox inbox,
    PairingConcern pairing, FactoryResetConcern factoryReset) : SupervisorConcern(context)
{
    private readonly Dictionary<string, string> _roles = new(StringComparer.Ordinal);
    /// <summary>Buttons that failed to start or to read, by name.</summary>
    private readonly Dictionary<string, string> _faults = new(StringComparer.Ordinal);
    private HoldFeedback _hold;

    /// <summary>Classifies a hold by the configured thresholds (not the HAL's,
    /// so a desired config can change them without reopening the board).</summary>
    public static Gesture Classify(TimeSpan held, PairingConfig p) =>
        held >= TimeSpan.FromSeconds(p.FactoryResetHoldSeconds) ? Gesture.FactoryResetHold
        : held >= TimeSpan.FromSeconds(p.HoldSeconds) ? Gesture.PairingHold
        : Gesture.Press;

    public override void Start()
    {
        foreach (var (role, button) in board.Buttons)
        {
            _roles[button.Name] = role;
            button.Changed += (_, e) => inbox.Post(new SupervisorInput.Button(e));
            button.Faulted += (_, f) => inbox.Post(new SupervisorInput.ButtonFault(f));
            try
            {
                button.Start();
            }
            catch (HalException e)
            {
                Context.ReportError(e.Message);
                _faults[button.Name] = e.Message;
            }
        }
        if (!board.Buttons.ContainsKey(ButtonRoles.Reset))
            Context.Log.Warn($"board {board.Name}: no \"{ButtonRoles.Reset}\" button; pairing and factory reset need one");
    }

    public override ValueTask<bool> HandleAsync(SupervisorInput input)
    {
        switch (input)
        {
            case SupervisorInput.Button b:
                OnButton(b.Event);
                return ValueTask.FromResult(true);
            case SupervisorInput.ButtonFault f:
                _faults[f.Fault.Part] = f.Fault.Message;
                Context.ReportError(f.Fault.ToString());
                return ValueTask.FromResult(true);
            default:
                return ValueTask.FromResult(false);
        }
    }

    private void OnButton(ButtonEvent e)
    {
        var role = _roles.GetValueOrDefault(e.Button, e.Button);
        var isReset = role == ButtonRoles.Reset;
        switch (e.Kind)
        {
            case ButtonEventKind.Down:
                Context.Log.Debug($"button {role}: down");
                break;
            case ButtonEventKind.HoldThreshold when isReset:
                // Feedback while still held: the LEDs say what releasing now will do.
                var gesture = Classify(e.Duration, config.Effective.Pairing);
                if (gesture == Gesture.FactoryResetHold)
                {
                    _hold = HoldFeedback.FactoryReset;
                    Context.Log.Info($"button {role}: held {e.Duration.TotalSeconds:0} s, release for a factory reset");
                }
                else if (gesture == Gesture.PairingHold && _hold != HoldFeedback.FactoryReset)
                {
                    _hold = HoldFeedback.Pairing;
                    Context.Log.Info($"button {role}: held {e.Duration.TotalSeconds:0} s, release to open the pairing window");
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
            ? Classify(e.Duration, config.Effective.Pairing)
            : e.Kind == ButtonEventKind.Hold ? Gesture.PairingHold : Gesture.Press;
        if (gesture == Gesture.Press)
        {
            Context.Log.Info($"button {role}: press ({e.Duration.TotalMilliseconds:0} ms)");
            Context.PublishEvent("button.press", fields);
            return;
        }
        Context.Log.Info($"button {role}: hold ({e.Duration.TotalMilliseconds:0} ms)");
        Context.PublishEvent("button.hold", fields);
        if (!isReset) return;
        if (gesture == Gesture.FactoryResetHold)
            factoryReset.Run();
        else
            pairing.Open();
    }

    public override void Contribute(SupervisorView view)
    {
        view.Hold = _hold;
        foreach (var (button, message) in _faults.OrderBy(f => f.Key, StringComparer.Ordinal))
            view.Errors.Add($"button:{button}: {message}");
    }
}

/// <summary>Button roles the agent uses (board profiles map them to real keys).</summary>
public static class ButtonRoles
{
    public const string Reset = "reset";
}
