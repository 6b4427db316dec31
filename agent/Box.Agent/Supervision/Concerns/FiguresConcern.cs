namespace Box.Agent.Supervision.Concerns;

/// <summary>Figures other parts post into the loop: the chunk server's traffic,
/// the chunk store's usage and the updater's progress. Held here until the
/// chunk store and the updater land as concerns of their own.</summary>
public sealed class FiguresConcern(ConcernContext context) : SupervisorConcern(context)
{
    public StoreFigures Store { get; private set; } = new(0, 0, 0);
    public TrafficFigures Traffic { get; private set; } = new(0, 0);
    public UpdateProgress Update { get; private set; } = UpdateProgress.Idle;

    public override ValueTask<bool> HandleAsync(SupervisorInput input)
    {
        switch (input)
        {
            case SupervisorInput.Traffic t: Traffic = new TrafficFigures(t.BytesServed, t.Connections); break;
            case SupervisorInput.Store s: Store = new StoreFigures(s.UsedBytes, s.QuotaBytes, s.Chunks); break;
            case SupervisorInput.Update u: Update = new UpdateProgress(u.State, u.Version, Math.Clamp(u.Percent, 0, 100)); break;
            default: return ValueTask.FromResult(false);
        }
        return ValueTask.FromResult(true);
    }

    public override void Contribute(SupervisorView view)
    {
        view.Store = Store;
        view.Traffic = Traffic;
        view.Update = Update;
        view.Updating = Update.InProgress;
        view.Serving = Traffic.Connections > 0;
    }
}
