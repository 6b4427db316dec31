namespace Box.Agent.Supervision;

/// <summary>
/// One concern of the box (disks, pairing, buttons, jobs, telemetry,
/// configuration, …): it owns its fields and timers, reacts to the inputs
/// that are its own, and contributes its part of the LEDs, the snapshot and
/// the reported state. The supervisor loop only routes. The chunk store and
/// the updater plug in as further concerns through this same seam.
/// All members run on the supervisor loop, one at a time.
/// </summary>
public interface ISupervisorConcern : IDisposable
{
    /// <summary>Once, when the loop starts (board open, link not yet up).</summary>
    void Start();

    /// <summary>Returns true when <paramref name="input"/> was this concern's.
    /// A problem is reported through the concern's context, not thrown.</summary>
    ValueTask<bool> HandleAsync(SupervisorInput input);

    /// <summary>A timer this concern started (through its context) is due.</summary>
    void OnTimer(string name);

    /// <summary>Work this concern ran off the loop (<see cref="ConcernContext.Run"/>)
    /// ended, or it sent itself a <see cref="ConcernContext.Notify"/>.</summary>
    void OnWork(string name, WorkOutcome outcome);

    /// <summary>Adds what this concern knows to the picture being built after a change.</summary>
    void Contribute(SupervisorView view);
}

/// <summary>Defaults for concerns that need only some of the members.</summary>
public abstract class SupervisorConcern : ISupervisorConcern
{
    protected SupervisorConcern(ConcernContext context)
    {
        Context = context;
        context.Bind(this);
    }

    protected ConcernContext Context { get; }

    public virtual void Start() { }
    public virtual ValueTask<bool> HandleAsync(SupervisorInput input) => ValueTask.FromResult(false);
    public virtual void OnTimer(string name) { }
    public virtual void OnWork(string name, WorkOutcome outcome) { }
    public virtual void Contribute(SupervisorView view) { }
    public virtual void Dispose() => Context.Dispose();
}
