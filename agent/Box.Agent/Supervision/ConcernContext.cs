using System.Text.Json.Nodes;
using Box.Agent.Cloud.Link;
using Box.Agent.Logging;

namespace Box.Agent.Supervision;

/// <summary>
/// What one concern of the supervisor may touch: its own timers, the log, and
/// the cloud link for events and reported errors. Disposing it cancels that
/// concern's timers, so a concern never outlives its context. A timer's input
/// goes through the supervisor's channel; one that was replaced or cancelled
/// before the loop got to it is dropped there, so concerns keep no generation
/// counters of their own.
/// </summary>
public sealed class ConcernContext : IDisposable
{
    private readonly SupervisorInbox _inbox;
    private readonly Dictionary<string, (ITimer Timer, long Generation)> _timers = new(StringComparer.Ordinal);
    private ISupervisorConcern? _concern;
    private long _generation;
    private bool _disposed;

    internal ConcernContext(string source, SupervisorInbox inbox, TimeProvider time, AgentLog log, ICloudLink? link)
    {
        Source = source;
        _inbox = inbox;
        Time = time;
        Log = log;
        Link = link;
    }

    /// <summary>Names the concern in logs and in <c>error</c> events ("disk", "pairing", …).</summary>
    public string Source { get; }
    public TimeProvider Time { get; }
    public AgentLog Log { get; }
    /// <summary>Null: no broker configured.</summary>
    public ICloudLink? Link { get; }

    /// <summary>Ties the context to the concern it serves (done by
    /// <see cref="SupervisorConcern"/>'s constructor), whose <c>OnTimer</c> its timers call.</summary>
    internal void Bind(ISupervisorConcern concern)
    {
        if (_concern is not null && !ReferenceEquals(_concern, concern))
            throw new InvalidOperationException($"{Source}: the context already serves another concern");
        _concern = concern;
    }

    /// <summary>(Re)starts the one-shot timer <paramref name="name"/>: after
    /// <paramref name="due"/> the loop calls the concern's <c>OnTimer(name)</c>.</summary>
    public void After(string name, TimeSpan due)
    {
        if (_disposed) return;
        if (_concern is null)
            throw new InvalidOperationException($"{Source}: a timer needs the context bound to its concern");
        Cancel(name);
        var generation = ++_generation;
        var timer = Time.CreateTimer(_ => _inbox.Post(new SupervisorInput.TimerFired(this, name, generation)),
            null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        _timers[name] = (timer, generation);
    }

    public void Cancel(string name)
    {
        if (_timers.Remove(name, out var entry))
            entry.Timer.Dispose();
    }

    public bool IsPending(string name) => _timers.ContainsKey(name);

    /// <summary>On the loop: hands a fired timer to the concern, unless it was
    /// replaced or cancelled after it fired (then it is dropped).</summary>
    internal void Deliver(SupervisorInput.TimerFired fired)
    {
        if (!_timers.TryGetValue(fired.Name, out var entry) || entry.Generation != fired.Generation) return;
        _timers.Remove(fired.Name);
        entry.Timer.Dispose();
        _concern!.OnTimer(fired.Name);
    }

    public void PublishEvent(string type, JsonObject? fields = null) => Link?.PublishEvent(type, fields);

    /// <summary>Logs a problem and reports it as an <c>error</c> event from this
    /// concern (or from the part named by <paramref name="source"/>).</summary>
    public void ReportError(string message, JsonObject? extra = null, string? source = null)
    {
        source ??= Source;
        Log.Warn($"{source}: {message}");
        var fields = extra ?? [];
        fields["source"] = source;
        fields["message"] = message;
        Link?.PublishEvent("error", fields);
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var (timer, _) in _timers.Values)
            timer.Dispose();
        _timers.Clear();
    }
}
