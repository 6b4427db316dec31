using Box.Agent.Cloud.Link;
using Box.Hal;

namespace Box.Agent.Supervision;

/// <summary>Everything the supervisor loop reacts to. HAL threads, the cloud
/// link, timers and jobs only post these; the loop alone changes state.</summary>
public abstract record SupervisorInput
{
    public sealed record Button(ButtonEvent Event) : SupervisorInput;
    public sealed record ButtonFault(HalFault Fault) : SupervisorInput;
    public sealed record Disk(DiskEvent Event) : SupervisorInput;
    /// <summary>An LED that failed after its pattern was set (a GPIO LED's blink timer).</summary>
    public sealed record LedFault(string Role, HalFault Fault) : SupervisorInput;
    public sealed record Cloud(CloudInput Input) : SupervisorInput;

    /// <summary>Figures from the chunk server (totals since start).</summary>
    public sealed record Traffic(long BytesServed, int Connections) : SupervisorInput;
    /// <summary>From the updater: state ("idle", "downloading", "installing", "installed", "failed"), version, percent.</summary>
    public sealed record Update(string State, string? Version, int Percent) : SupervisorInput;

    /// <summary>A concern's timer (see <see cref="ConcernContext.After"/>); a
    /// replaced or cancelled one is dropped by the loop.</summary>
    internal sealed record TimerFired(ConcernContext Context, string Name, long Generation) : SupervisorInput;

    /// <summary>Work a concern ran off the loop (see <see cref="ConcernContext.Run"/>) ended, or it notified.</summary>
    internal sealed record WorkDone(ConcernContext Context, string Name, WorkOutcome Outcome) : SupervisorInput;
}
