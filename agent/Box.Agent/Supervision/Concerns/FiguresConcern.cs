namespace Box.Agent.Supervision.Concerns;

/// <summary>Figures other parts post into the loop: the chunk server's traffic
/// (sampled once a second) and the updater's progress, until the updater
/// lands as a concern of its own.</summary>
public sealed class FiguresConcern(ConcernContext context) : SupervisorConcern(context)
{
    public TrafficFigures Traffic { get; private set; } = new(0, 0);
    public UpdateProgress Update { get; private set; } = UpdateProgress.Idle;

    public override ValueTask<bool> HandleAsync(SupervisorInput input)
    {
        switch (input)
        {
            case SupervisorInput.Traffic t: Traffic = new TrafficFigures(t.BytesServed, t.Connections); break;
            case SupervisorInput.Update u: Update = new UpdateProgress(u.State, u.Version, Math.Clamp(u.Percent, 0, 100)); break;
            default: return ValueTask.FromResult(false);
        }
        return ValueTask.FromResult(true);
    }

    public override void Contribute(SupervisorView view)
    {
        view.Traffic = Traffic;
        view.Update = Update;
        view.Updating = Update.InProgress;
        view.Serving = Traffic.Connections > 0;
    }
}
