using System.Text.Json.Nodes;
using Box.Agent.Configuration;
using Box.Agent.Hosting;
using Box.Agent.Logging;
using Box.Hal.Buttons;
using Box.Hal.Profiles;
using Box.Hal.Sim;

namespace Box.FleetSim.Fleet;

/// <summary>One simulated box: its board directory, its data directory, and the
/// real agent (<see cref="AgentHost"/>: supervisor, MQTT link, dispatcher, handlers).</summary>
public sealed class FleetBox : IAsyncDisposable
{
    /// <summary>Lines kept per box for <c>logs.tail</c>; the fleet does not print box logs.</summary>
    public const int LogLines = 100;

    private FleetBox(string id, string simDir, string dataDir, FleetBoard board, AgentHost host, AgentLog log)
    {
        Id = id;
        SimDir = simDir;
        DataDir = dataDir;
        Board = board;
        Host = host;
        Log = log;
    }

    public string Id { get; }
    public string SimDir { get; }
    public string DataDir { get; }
    public FleetBoard Board { get; }
    public AgentHost Host { get; }
    public AgentLog Log { get; }
    public bool IsConnected => Host.Cloud?.Link.IsConnected ?? false;

    public static async Task<FleetBox> StartAsync(FleetOptions options, string id, BoardProfile profile, ButtonPoller buttons,
        CancellationToken stop)
    {
        var root = Path.Combine(options.Dir, "boxes", id);
        var simDir = Path.Combine(root, "sim");
        var dataDir = Path.Combine(root, "data");
        Directory.CreateDirectory(simDir);
        SimBoard.Create(simDir);
        Directory.CreateDirectory(dataDir);
        var file = new JsonObject
        {
            ["id"] = id,
            ["board"] = "sim",
            ["simDir"] = simDir,
            ["dataDir"] = dataDir,
            ["telemetryIntervalSeconds"] = options.TelemetryIntervalSeconds,
            ["broker"] = new JsonObject { ["url"] = options.Broker, ["topicPrefix"] = options.Prefix },
        };
        if (options.Http)
            file["http"] = "127.0.0.1:0";
        var warnings = new List<string>();
        var layers = ConfigLayers.Create(file, "fleetsim", [], warnings);
        var config = layers.Effective;
        var board = new FleetBoard(simDir, profile, buttons, new ButtonOptions
        {
            Debounce = TimeSpan.FromMilliseconds(profile.DebounceMs),
            HoldThresholds = [TimeSpan.FromSeconds(config.Pairing.HoldSeconds), TimeSpan.FromSeconds(config.Pairing.FactoryResetHoldSeconds)],
        });
        var log = new AgentLog(options.Log is { } shared ? new BoxLogWriter(id, shared) : null, capacity: LogLines);
        try
        {
            var host = await AgentHost.StartAsync(new AgentHostOptions
            {
                Board = board,
                Config = layers,
                Log = log,
                ConfigWarnings = warnings,
                FirmwareVersion = VersionInfo.Version,
                Slot = "a",
            }, stop).ConfigureAwait(false);
            return new FleetBox(id, simDir, dataDir, board, host, log);
        }
        catch
        {
            board.Dispose();
            throw;
        }
    }

    /// <summary>After the fleet's stop token was cancelled: waits for the loop, then the
    /// link's clean disconnect (retained offline status).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Host.Completion.ConfigureAwait(false);
        }
        finally
        {
            await Host.DisposeAsync().ConfigureAwait(false);
            Board.Dispose();
        }
    }
}

/// <summary>One box's log lines into the fleet's shared log, prefixed with the box id.</summary>
internal sealed class BoxLogWriter(string id, TextWriter shared) : TextWriter
{
    public override System.Text.Encoding Encoding => shared.Encoding;
    public override void WriteLine(string? value) => shared.WriteLine($"{id} {value}");
    public override void Write(char value) => shared.Write(value);
    public override void Flush() => shared.Flush();
}
