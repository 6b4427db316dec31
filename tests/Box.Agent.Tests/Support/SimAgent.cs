using System.Text;
using System.Text.Json.Nodes;
using Box.Agent.Cloud.Commands;
using Box.Agent.Cloud.Link;
using Box.Agent.Commands;
using Box.Agent.Configuration;
using Box.Agent.Logging;
using Box.Agent.Supervision;
using Box.Hal;
using Box.Hal.Profiles;
using Box.Hal.Sim;

namespace Box.Agent.Tests.Support;

/// <summary>A supervisor on the simulated board (the HAL's real drivers over a
/// temp directory) with a recording cloud link, the real command dispatcher and
/// the agent's command table. Time for the supervisor's own timers is a
/// <see cref="FakeTime"/>; button edges carry their own timestamps.</summary>
public sealed class SimAgent : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _commandSeq;

    public TempDir Dir { get; }
    public string SimDir { get; }
    public string DataDir { get; }
    public FakeTime Time { get; } = new(DateTimeOffset.UtcNow);
    public RecordingCloudLink Link { get; } = new();
    public Board Board { get; }
    public Supervisor Supervisor { get; }
    public CommandDispatcher Dispatcher { get; }
    public AgentLog Log { get; }
    public StringWriter LogText { get; } = new();

    private SimAgent(TempDir dir, JsonObject? file, bool withLink)
    {
        Dir = dir;
        SimDir = dir.Combine("sim");
        DataDir = dir.Combine("data");
        Directory.CreateDirectory(DataDir);
        SimBoard.Create(SimDir);
        Board = Board.Open("sim", SimDir);
        var layers = ConfigLayers.Create(file ?? [], "test config", new JsonObject { ["dataDir"] = DataDir, ["board"] = "sim" }, []);
        Log = new AgentLog(TextWriter.Synchronized(LogText), Time, minimum: LogLevel.Debug);
        var inbox = new SupervisorInbox();
        Dispatcher = new CommandDispatcher(Link, DataDir, Time);
        Supervisor = new Supervisor(new SupervisorOptions
        {
            Board = Board,
            Config = layers,
            Inbox = inbox,
            Log = Log,
            BoxId = "test-box",
            Link = withLink ? Link : null,
            Dispatch = Dispatcher.DispatchAsync,
            Time = Time,
            FirmwareVersion = "9.9.9",
            RebootGrace = TimeSpan.FromSeconds(1),
        });
        foreach (var (name, handler) in new AgentCommands(Supervisor).Table)
            Dispatcher.Register(name, handler);
        _loop = Supervisor.RunAsync(_stop.Token);
    }

    /// <summary>Starts an agent in a new temp dir (or <paramref name="reuse"/>, to restart over the same /data).</summary>
    public static async Task<SimAgent> StartAsync(JsonObject? file = null, TempDir? reuse = null, bool withLink = true)
    {
        var agent = new SimAgent(reuse ?? new TempDir(), file, withLink);
        await agent.Supervisor.Ready.WaitAsync(TimeSpan.FromSeconds(15));
        return agent;
    }

    /// <summary>A press of <paramref name="held"/> as the kernel would report it:
    /// down and up edges stamped that far apart, written at once.</summary>
    public void Hold(TimeSpan held)
    {
        var up = DateTimeOffset.UtcNow;
        SimBoard.WriteKey(SimDir, pressed: true, up - held);
        SimBoard.WriteKey(SimDir, pressed: false, up);
    }

    public string LedPattern(string role)
    {
        var name = Board.Profile.Leds[role].Name;
        return SimBoard.ReadLeds(SimDir).Single(l => l.Name == name).Description;
    }

    /// <summary>Sends a command through the dispatcher on the loop and waits for its (first) reply.</summary>
    public async Task<JsonObject> CommandAsync(string name, JsonObject? args = null)
    {
        var id = $"c{Interlocked.Increment(ref _commandSeq)}";
        var request = new JsonObject { ["id"] = id, ["name"] = name };
        if (args is not null) request["args"] = args;
        Supervisor.Inbox.PostCloud(new CloudInput.CommandArrived(Encoding.UTF8.GetBytes(request.ToJsonString()), null, null));
        return await Eventually.ValueAsync(() => Link.Replies.FirstOrDefault(r => (string?)r["id"] == id), $"reply to {name}");
    }

    /// <summary>All replies with <paramref name="id"/> so far.</summary>
    public IReadOnlyList<JsonObject> RepliesTo(string id) => [.. Link.Replies.Where(r => (string?)r["id"] == id)];

    /// <summary>Waits until the loop has handled everything posted before this call.</summary>
    public async Task SettleAsync()
    {
        // A ping goes through the same channel; its reply means earlier inputs are done.
        await CommandAsync("ping");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Dir.Dispose();
    }

    /// <summary>Stops the loop and closes the board, keeping the directory.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
            await _loop.WaitAsync(TimeSpan.FromSeconds(15));
            Dispatcher.Dispose();
            Board.Dispose();
        }
    }
}
