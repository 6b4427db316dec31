using System.Text.Json.Nodes;
using Box.Agent.Cloud.Commands;
using Box.Agent.Pairing;
using Box.Protocol.Commands;

namespace Box.Agent.Supervision;

public sealed partial class Supervisor
{
    private string? _owner;
    private long _pairingGeneration;

    private void OpenPairingWindow()
    {
        var seconds = _config.Effective.Pairing.WindowSeconds;
        _pairing.Open(TimeSpan.FromSeconds(seconds));
        var generation = ++_pairingGeneration;
        After(ref _pairingTimer, TimeSpan.FromSeconds(seconds), new SupervisorInput.PairingExpired(generation));
        var expires = _pairing.ExpiresAt!.Value.ToUnixTimeSeconds();
        _link?.ReportPairing(new JsonObject { ["codeSha256"] = _pairing.CodeSha256, ["expires"] = expires });
        _link?.PublishEvent("pairing.opened", new JsonObject { ["expires"] = expires });
        // The code itself is never logged: logs.tail reaches the cloud.
        _log.Info($"pairing window open for {seconds} s (the code is on the LAN status page)");
    }

    private void ClosePairingWindow(string reason)
    {
        _pairing.Close();
        _pairingTimer?.Dispose();
        _pairingTimer = null;
        _pairingGeneration++;
        _link?.ReportPairing(null);
        _link?.PublishEvent("pairing.closed", new JsonObject { ["reason"] = reason });
        _log.Info($"pairing window closed ({reason})");
    }

    private void OnPairingExpired(long generation)
    {
        // The timer is authoritative for this window; a later window has a new generation.
        if (generation == _pairingGeneration)
            ClosePairingWindow("expired");
    }

    /// <summary>pair.confirm on the loop: binds <paramref name="owner"/> when
    /// <paramref name="code"/> matches the open window. Throws
    /// <see cref="CommandException"/> (unauthorized) otherwise.</summary>
    internal void ConfirmPairing(string code, string owner)
    {
        var hold = _config.Effective.Pairing.HoldSeconds;
        switch (_pairing.Confirm(code))
        {
            case PairingResult.NotOpen:
                if (_pairingTimer is not null) ClosePairingWindow("expired");
                throw new CommandException(ErrorCodes.Unauthorized,
                    $"no pairing window is open; hold the reset button for {hold} s to open one");
            case PairingResult.WrongCode:
                _log.Warn($"pair.confirm: wrong code ({_pairing.TriesLeft} tries left)");
                throw new CommandException(ErrorCodes.Unauthorized,
                    $"wrong pairing code ({_pairing.TriesLeft} tries left)");
            case PairingResult.LockedOut:
                ClosePairingWindow("lockout");
                throw new CommandException(ErrorCodes.Unauthorized,
                    $"wrong pairing code; the window closed after {PairingWindow.MaxWrongTries} wrong tries");
        }
        try
        {
            _ownerStore.Save(owner, _time.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ClosePairingWindow("error");
            _log.Error($"pairing: cannot persist the owner: {e.Message}");
            throw new CommandException(ErrorCodes.Internal, $"cannot persist the owner: {e.Message}");
        }
        _owner = owner;
        ClosePairingWindow("paired");
        _link?.PublishEvent("paired", new JsonObject { ["owner"] = owner });
        _log.Info($"paired with owner {owner}");
    }

    /// <summary>unpair on the loop: forgets the owner (persisted).</summary>
    internal void Unpair()
    {
        try
        {
            _ownerStore.Clear();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandException(ErrorCodes.Internal, $"cannot remove the owner binding: {e.Message}");
        }
        if (_owner is not null) _log.Info($"unpaired (was {_owner})");
        _owner = null;
    }
}
