using Box.Agent.Cloud.Commands;
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
    public sealed record Cloud(CloudInput Input) : SupervisorInput;

    /// <summary>Figures from the chunk server (totals since start).</summary>
    public sealed record Traffic(long BytesServed, int Connections) : SupervisorInput;
    /// <summary>Figures from the chunk store after a change.</summary>
    public sealed record Store(long UsedBytes, long QuotaBytes, long Chunks) : SupervisorInput;
    /// <summary>From the updater: state ("idle", "downloading", "installing", "installed", "failed"), version, percent.</summary>
    public sealed record Update(string State, string? Version, int Percent) : SupervisorInput;

    // ---- timers the supervisor sets itself; Generation drops stale ones ----
    internal sealed record TelemetryDue(long Generation) : SupervisorInput;
    internal sealed record PairingExpired(long Generation) : SupervisorInput;
    internal sealed record IdentifyEnded(long Generation) : SupervisorInput;
    internal sealed record FactoryResetShown : SupervisorInput;
    internal sealed record RebootDue(ICommandJob Job) : SupervisorInput;
    internal sealed record RebootNow : SupervisorInput;
}
