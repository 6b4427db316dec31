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
    private readonly CancellationTokenSource _work = new();
    private int _running;
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

    /// <summary>Work started with <see cref="Run"/> that has not come back yet.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Runs slow or blocking work (disk I/O, downloads) on the thread
    /// pool, never on the loop. Its outcome (result, exception or cancellation)
    /// comes back through the channel: the loop calls the concern's
    /// <c>OnWork(name, outcome)</c>. The token is cancelled when the context
    /// is disposed; outcomes arriving after that are dropped.</summary>
    public void Run(string name, Func<CancellationToken, Task<object?>> work)
    {
        if (_disposed) return;
        if (_concern is null)
            throw new InvalidOperationException($"{Source}: work needs the context bound to its concern");
        Interlocked.Increment(ref _running);
        var token = _work.Token;
        _ = Task.Run(async () =>
        {
            WorkOutcome outcome;
            try
            {
                outcome = WorkOutcome.Of(await work(token).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                outcome = WorkOutcome.Cancelled;
            }
            catch (Exception e)
            {
                outcome = WorkOutcome.Failed(e);
            }
            Interlocked.Decrement(ref _running);
            _inbox.Post(new SupervisorInput.WorkDone(this, name, outcome));
        }, CancellationToken.None);
    }

    /// <summary>From any thread: hands <paramref name="value"/> to the concern's
    /// <c>OnWork(name, …)</c> on the loop (progress or findings of running work).</summary>
    public void Notify(string name, object? value)
    {
        if (!_disposed) _inbox.Post(new SupervisorInput.WorkDone(this, name, WorkOutcome.Of(value)));
    }

    /// <summary>On the loop: hands finished work to the concern unless the context is gone.</summary>
    internal void Deliver(SupervisorInput.WorkDone done)
    {
        if (!_disposed) _concern!.OnWork(done.Name, done.Outcome);
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
        if (_disposed) return;
        _disposed = true;
        _work.Cancel();
        _work.Dispose();
        foreach (var (timer, _) in _timers.Values)
            timer.Dispose();
        _timers.Clear();
    }
}

/// <summary>How work started with <see cref="ConcernContext.Run"/> ended.</summary>
public sealed record WorkOutcome(object? Result, Exception? Error, bool WasCancelled)
{
    public static readonly WorkOutcome Cancelled = new(null, null, true);
    public static WorkOutcome Of(object? result) => new(result, null, false);
    public static WorkOutcome Failed(Exception error) => new(null, error, false);
    public bool Succeeded => Error is null && !WasCancelled;
}
