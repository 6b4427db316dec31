using System.Text.Json.Nodes;
using Box.Ctl.Mqtt;
using Box.Ctl.Output;

namespace Box.Ctl.Rollout;

/// <summary>
/// Follows one box through <c>firmware.update</c>, fed with what the broker
/// delivers (free of I/O, so every path is unit-tested). Updated = final
/// reply <c>done</c> and the retained status online with the target fw.
/// Rolled back = after a reboot (seen offline, or a new <c>bootedAt</c>) it
/// is online with another fw, or it reports <c>update.rolledback</c>.
/// </summary>
public sealed class BoxUpdate(string boxId, string commandId, string targetVersion)
{
    long? _initialBootedAt;
    bool _accepted, _replyDone, _sawOffline, _rebooted;
    string? _onlineFw;

    public string BoxId => boxId;
    public string CommandId => commandId;
    public string? InitialFw { get; private set; }
    public double? Percent { get; private set; }
    public BoxOutcome? Outcome { get; private set; }

    /// <summary>The retained status before anything is sent. Returns whether
    /// to send the command; when not, <see cref="Outcome"/> says why.</summary>
    public bool Begin(JsonObject? status)
    {
        if (Json.Bool(status, "online") != true)
        {
            Outcome = new BoxOutcome(boxId, BoxResult.Skipped, status is null ? "no retained status" : "offline");
            return false;
        }
        InitialFw = Json.String(status, "fw");
        _initialBootedAt = Json.Long(status, "bootedAt");
        if (InitialFw == targetVersion)
        {
            Outcome = new BoxOutcome(boxId, BoxResult.AlreadyCurrent, $"already runs {targetVersion}");
            return false;
        }
        _onlineFw = InitialFw;
        return true;
    }

    public void OnReply(CommandReply reply)
    {
        if (Outcome is not null || reply.Id != commandId)
            return;
        if (reply.IsAccepted)
        {
            _accepted = true;
            return;
        }
        if (!reply.Ok)
        {
            Outcome = new BoxOutcome(boxId, BoxResult.Failed, $"{reply.ErrorCode}: {reply.ErrorMessage ?? "(no message)"}");
            return;
        }
        _replyDone = true;
        Decide();
    }

    /// <summary>A live status message (null or empty = cleared).</summary>
    public void OnStatus(JsonObject? status)
    {
        if (Outcome is not null)
            return;
        if (Json.Bool(status, "online") != true)
        {
            _sawOffline = true;
            _onlineFw = null;
            return;
        }
        _onlineFw = Json.String(status, "fw");
        if (Json.Long(status, "bootedAt") is { } booted && _initialBootedAt is { } before && booted != before)
            _rebooted = true;
        Decide();
    }

    public void OnEvent(JsonObject? ev)
    {
        if (Outcome is not null)
            return;
        if (CommandMessages.IsProgressOf(ev, commandId, out double? percent, out _))
            Percent = percent;
        else if (Json.String(ev, "type") == "update.rolledback")
            Outcome = new BoxOutcome(boxId, BoxResult.RolledBack, "reported update.rolledback" +
                (Json.String(ev, "version") is { } v ? $" ({v})" : ""));
    }

    /// <summary>The wave's time is up: decides whatever is still open.</summary>
    public BoxOutcome TimeOut(TimeSpan waited)
    {
        Outcome ??= new BoxOutcome(boxId, BoxResult.TimedOut, (_replyDone, _accepted) switch
        {
            (true, _) => $"replied done but was not back online with {targetVersion} within {waited.TotalSeconds:0} s",
            (false, true) => $"accepted{(Percent is { } p ? $" ({p:0}%)" : "")} but sent no final reply within {waited.TotalSeconds:0} s",
            _ => $"no reply within {waited.TotalSeconds:0} s",
        });
        return Outcome;
    }

    void Decide()
    {
        if (_onlineFw is null)
            return;
        if (_onlineFw == targetVersion)
        {
            if (_replyDone)
                Outcome = new BoxOutcome(boxId, BoxResult.Updated, $"{InitialFw ?? "?"} -> {targetVersion}");
        }
        else if (_sawOffline || _rebooted)
        {
            Outcome = new BoxOutcome(boxId, BoxResult.RolledBack, $"came back with fw {_onlineFw}, not {targetVersion}");
        }
    }
}
