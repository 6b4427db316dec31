using Box.Agent.Usage;

namespace Box.Agent.Supervision.Concerns;

/// <summary>Cuts a <c>usage</c> report once a telemetry interval (when
/// anything was served, docs/contract.md "Usage report"). The cut commits
/// to /data and appends to the durable queue, so it runs off the loop.
/// Without a broker nothing is cut: the served bytes stay counted in the
/// ledger until a link exists to take the report.</summary>
public sealed class UsageConcern(ConcernContext context, ConfigurationConcern configuration, UsageLedger ledger) : SupervisorConcern(context)
{
    private const string CutTimer = "cut";

    public UsageLedger Ledger => ledger;

    public override void Start()
    {
        configuration.Applied += before =>
        {
            if (before.TelemetryIntervalSeconds != configuration.Effective.TelemetryIntervalSeconds)
                Schedule();
        };
        Schedule();
    }

    private void Schedule() =>
        Context.After(CutTimer, TimeSpan.FromSeconds(configuration.Effective.TelemetryIntervalSeconds));

    public override void OnTimer(string name)
    {
        Schedule();
        if (Context.Link is null) return;
        var now = Context.Time.GetUtcNow();
        Context.Run("cut", _ => Task.FromResult<object?>(ledger.CutReport(now)));
    }

    public override void OnWork(string name, WorkOutcome outcome)
    {
        if (outcome.Error is { } e)
            Context.ReportError($"usage report: {e.Message}");
        else if (outcome.Result is int cut and > 0)
            Context.Log.Debug($"usage: {cut} report(s) cut, next seq {ledger.NextSeq}");
    }
}
