using System.Text.Json.Nodes;
using Box.Agent.Cloud.Commands;
using Box.Protocol.Commands;
using Box.Hal;

namespace Box.Agent.Supervision.Concerns;

/// <summary>The short jobs commands start on the box itself: <c>led.identify</c>
/// (the status LED blinks for a while) and <c>reboot</c> (after a delay the
/// final reply, then a grace for it to leave, then the reboot).</summary>
public sealed class JobsConcern(ConcernContext context, ISystem system, TimeSpan rebootGrace) : SupervisorConcern(context)
{
    private const string IdentifyTimer = "identify", RebootDueTimer = "reboot-due", RebootNowTimer = "reboot-now";
    private ICommandJob? _reboot;

    public bool Identifying => Context.IsPending(IdentifyTimer);

    public bool RebootScheduled => _reboot is not null;

    public void StartIdentify(TimeSpan duration)
    {
        Context.After(IdentifyTimer, duration);
        Context.Log.Info($"identify: status LED blinks for {duration.TotalSeconds:0} s");
    }

    public void ScheduleReboot(TimeSpan delay, ICommandJob job)
    {
        if (_reboot is not null)
            throw new CommandException(ErrorCodes.Busy, "a reboot is already scheduled");
        _reboot = job;
        Context.Log.Info($"reboot in {delay.TotalSeconds:0} s (command {job.Id})");
        Context.After(RebootDueTimer, delay);
    }

    public override void OnTimer(string name)
    {
        switch (name)
        {
            case RebootDueTimer:
                _reboot?.Done(new JsonObject { ["rebooting"] = true });
                Context.After(RebootNowTimer, rebootGrace);
                break;
            case RebootNowTimer:
                _reboot = null;
                Context.Log.Warn("rebooting");
                try
                {
                    system.Reboot();
                }
                catch (Exception e) when (e is HalException or IOException or UnauthorizedAccessException)
                {
                    Context.ReportError($"reboot failed: {e.Message}", source: "system");
                }
                break;
        }
    }

    public override void Contribute(SupervisorView view) => view.Identify = Identifying;
}
