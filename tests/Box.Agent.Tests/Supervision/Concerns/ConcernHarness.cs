using System.Text.Json.Nodes;
using Box.Agent.Configuration;
using Box.Agent.Logging;
using Box.Agent.Supervision;
using Box.Agent.Tests.Support;

namespace Box.Agent.Tests.Supervision.Concerns;

/// <summary>One concern (or a few) without the supervisor: a fake clock, a
/// recording cloud link, a temp /data, and <see cref="Drain"/>, which does
/// what the loop does with timer inputs.</summary>
internal sealed class ConcernHarness : IDisposable
{
    public TempDir Dir { get; } = new();
    public FakeTime Time { get; } = new();
    public RecordingCloudLink Link { get; } = new();
    public SupervisorInbox Inbox { get; } = new();
    public StringWriter LogText { get; } = new();
    public AgentLog Log { get; }

    public ConcernHarness() => Log = new AgentLog(TextWriter.Synchronized(LogText), Time, minimum: LogLevel.Debug);

    public string DataDir => Dir.Path;

    public ConcernContext Context(string source, bool withLink = true) => new(source, Inbox, Time, Log, withLink ? Link : null);

    public ConfigLayers Config(JsonObject? file = null) =>
        ConfigLayers.Create(file ?? [], "test config", new JsonObject { ["dataDir"] = DataDir, ["board"] = "sim" }, []);

    /// <summary>Advances the clock and delivers the timers that came due.</summary>
    public List<SupervisorInput> Advance(TimeSpan by)
    {
        Time.Advance(by);
        return Drain();
    }

    /// <summary>Delivers posted timer inputs the way the loop does (stale ones
    /// dropped) and returns every other input posted so far.</summary>
    public List<SupervisorInput> Drain()
    {
        var others = new List<SupervisorInput>();
        while (Inbox.Reader.TryRead(out var input))
        {
            if (input is SupervisorInput.TimerFired t)
            {
                t.Context.Deliver(t);
            }
            else if (input is SupervisorInput.WorkDone w)
            {
                w.Context.Deliver(w);
            }
            else
            {
                others.Add(input);
            }
        }
        return others;
    }

    /// <summary>Delivers inputs as they arrive (work runs on the thread pool)
    /// until <paramref name="done"/> holds; returns the inputs that were not timers or work.</summary>
    public async Task<List<SupervisorInput>> DrainUntilAsync(Func<bool> done, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var others = Drain();
        while (!done())
        {
            await Inbox.Reader.WaitToReadAsync(cts.Token);
            others.AddRange(Drain());
        }
        return others;
    }

    public static SupervisorView View(params ISupervisorConcern[] concerns)
    {
        var view = new SupervisorView();
        foreach (var c in concerns) c.Contribute(view);
        return view;
    }

    public void Dispose() => Dir.Dispose();
}
