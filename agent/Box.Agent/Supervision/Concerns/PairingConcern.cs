using System.Text.Json.Nodes;
using Box.Agent.Cloud.Commands;
using Box.Protocol.Commands;
using Box.Agent.Configuration;
using Box.Agent.Pairing;

namespace Box.Agent.Supervision.Concerns;

/// <summary>The owner binding (persisted on /data) and the pairing window:
/// opened by a reset hold, announced as a code hash, closed by expiry, a
/// confirmed code, lockout after wrong tries, or a factory reset.</summary>
public sealed class PairingConcern(ConcernContext context, ConfigLayers config, OwnerStore store) : SupervisorConcern(context)
{
    private const string ExpiryTimer = "expiry";
    private readonly PairingWindow _window = new(context.Time);

    public string? Owner { get; private set; }

    public bool IsOpen => _window.IsOpen;

    public override void Start()
    {
        Owner = store.Load(out var problem);
        if (problem is not null) Context.ReportError(problem);
    }

    public void Open()
    {
        var seconds = config.Effective.Pairing.WindowSeconds;
        _window.Open(TimeSpan.FromSeconds(seconds));
        Context.After(ExpiryTimer, TimeSpan.FromSeconds(seconds));
        var expires = _window.ExpiresAt!.Value.ToUnixTimeSeconds();
        Context.Link?.ReportPairing(new JsonObject { ["codeSha256"] = _window.CodeSha256, ["expires"] = expires });
        Context.PublishEvent("pairing.opened", new JsonObject { ["expires"] = expires });
        // The code itself is never logged: logs.tail reaches the cloud.
        Context.Log.Info($"pairing window open for {seconds} s (the code is on the LAN status page)");
    }

    /// <summary>Closes an open window (or one whose expiry is still pending) with <paramref name="reason"/>.</summary>
    public void CloseIfOpen(string reason)
    {
        if (_window.IsOpen || Context.IsPending(ExpiryTimer)) Close(reason);
    }

    private void Close(string reason)
    {
        _window.Close();
        Context.Cancel(ExpiryTimer);
        Context.Link?.ReportPairing(null);
        Context.PublishEvent("pairing.closed", new JsonObject { ["reason"] = reason });
        Context.Log.Info($"pairing window closed ({reason})");
    }

    // The timer is authoritative for this window; a later window restarted it.
    public override void OnTimer(string name) => Close("expired");

    /// <summary>pair.confirm: binds <paramref name="owner"/> when <paramref name="code"/>
    /// matches the open window; throws <see cref="CommandException"/> (unauthorized) otherwise.</summary>
    public void Confirm(string code, string owner)
    {
        var hold = config.Effective.Pairing.HoldSeconds;
        switch (_window.Confirm(code))
        {
            case PairingResult.NotOpen:
                CloseIfOpen("expired");
                throw new CommandException(ErrorCodes.Unauthorized,
                    $"no pairing window is open; hold the reset button for {hold} s to open one");
            case PairingResult.WrongCode:
                Context.Log.Warn($"pair.confirm: wrong code ({_window.TriesLeft} tries left)");
                throw new CommandException(ErrorCodes.Unauthorized,
                    $"wrong pairing code ({_window.TriesLeft} tries left)");
            case PairingResult.LockedOut:
                Close("lockout");
                throw new CommandException(ErrorCodes.Unauthorized,
                    $"wrong pairing code; the window closed after {PairingWindow.MaxWrongTries} wrong tries");
        }
        try
        {
            store.Save(owner, Context.Time.GetUtcNow());
        }
        catch (IOException e)
        {
            Close("error");
            Context.Log.Error($"pairing: cannot persist the owner: {e.Message}");
            throw new CommandException(ErrorCodes.Internal, $"cannot persist the owner: {e.Message}");
        }
        Owner = owner;
        Close("paired");
        Context.PublishEvent("paired", new JsonObject { ["owner"] = owner });
        Context.Log.Info($"paired with owner {owner}");
    }

    /// <summary>unpair: forgets the owner (persisted).</summary>
    public void Unpair()
    {
        try
        {
            store.Clear();
        }
        catch (IOException e)
        {
            throw new CommandException(ErrorCodes.Internal, $"cannot remove the owner binding: {e.Message}");
        }
        if (Owner is not null) Context.Log.Info($"unpaired (was {Owner})");
        Owner = null;
    }

    /// <summary>Factory reset: the window closes and the owner is forgotten;
    /// a failure to delete is reported, the reset goes on.</summary>
    public void Forget()
    {
        CloseIfOpen("factory-reset");
        try
        {
            store.Clear();
        }
        catch (IOException e)
        {
            Context.ReportError($"cannot delete the owner: {e.Message}", source: "factory-reset");
        }
        Owner = null;
    }

    public override void Contribute(SupervisorView view)
    {
        view.Owner = Owner;
        view.PairingWindow = _window.IsOpen;
        view.Pairing = _window.IsOpen ? new PairingSnapshot(_window.Code!, _window.ExpiresAt!.Value, _window.TriesLeft) : null;
    }
}
