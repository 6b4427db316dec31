using System.Text.Json.Nodes;
using Box.Agent.Cloud.Commands;
using Box.Agent.Configuration;
using Box.Hal;
using Box.Protocol.Commands;

namespace Box.Agent.Supervision;

/// <summary>What command handlers may do on the loop (see Commands/AgentCommands).</summary>
public sealed partial class Supervisor
{
    private long _identifyGeneration;
    private bool _identifying;
    private bool _rebootScheduled;
    private TrafficFigures _traffic = new(0, 0);
    private UpdateProgress _update = UpdateProgress.Idle;

    internal bool RebootScheduled => _rebootScheduled;

    internal TimeSpan Uptime => _time.GetUtcNow() - _startedAt;

    internal JsonObject StateDocumentNow() => StateDocument.Build(BuildSnapshot(CurrentLeds()));

    internal JsonObject EffectiveConfigJson() => ConfigJson.ToJson(_config.Effective, redactSecrets: true);

    /// <summary>led.identify: the status LED blinks fast for <paramref name="duration"/>, then follows the policy again.</summary>
    internal void StartIdentify(TimeSpan duration)
    {
        _identifying = true;
        var generation = ++_identifyGeneration;
        After(ref _identifyTimer, duration, new SupervisorInput.IdentifyEnded(generation));
        _log.Info($"identify: status LED blinks for {duration.TotalSeconds:0} s");
    }

    private void OnIdentifyEnded(long generation)
    {
        if (generation != _identifyGeneration) return;
        _identifying = false;
        _identifyTimer?.Dispose();
        _identifyTimer = null;
    }

    /// <summary>reboot: after <paramref name="delay"/> the job's final reply is sent,
    /// then (after a short grace for the reply to leave) <see cref="ISystem.Reboot"/>.</summary>
    internal void ScheduleReboot(TimeSpan delay, ICommandJob job)
    {
        if (_rebootScheduled)
            throw new CommandException(ErrorCodes.Busy, "a reboot is already scheduled");
        _rebootScheduled = true;
        _log.Info($"reboot in {delay.TotalSeconds:0} s (command {job.Id})");
        After(ref _rebootTimer, delay, new SupervisorInput.RebootDue(job));
    }

    private void OnRebootDue(ICommandJob job)
    {
        job.Done(new JsonObject { ["rebooting"] = true });
        After(ref _rebootTimer, _o.RebootGrace, new SupervisorInput.RebootNow());
    }

    private void OnRebootNow()
    {
        _rebootScheduled = false;
        _rebootTimer?.Dispose();
        _rebootTimer = null;
        _log.Warn("rebooting");
        try
        {
            _board.System.Reboot();
        }
        catch (Exception e) when (e is HalException or IOException or UnauthorizedAccessException)
        {
            ReportError("system", $"reboot failed: {e.Message}");
        }
    }
}
