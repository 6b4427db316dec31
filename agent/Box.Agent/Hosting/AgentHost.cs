using System.Text.Json.Nodes;
using Box.Agent.Configuration;
using Box.Agent.Logging;
using Box.Agent.Serving;
using Box.Agent.Storage;
using Box.Agent.Supervision;
using Box.Agent.Usage;
using Box.Hal;

namespace Box.Agent.Hosting;

public sealed record AgentHostOptions
{
    /// <summary>An open board; the caller owns it (and disposes it after the host).</summary>
    public required IBoard Board { get; init; }
    /// <summary>Filesystem root the board was opened over ("/", or the sim directory);
    /// the box id is looked up under it when none is configured.</summary>
    public string Root { get; init; } = "/";
    public required ConfigLayers Config { get; init; }
    public required AgentLog Log { get; init; }
    /// <summary>Warnings from reading the local config file, reported once at start.</summary>
    public IReadOnlyList<string> ConfigWarnings { get; init; } = [];
    public string FirmwareVersion { get; init; } = "0.0.0";
    /// <summary>Boot slot ("a"/"b"), null when unknown.</summary>
    public string? Slot { get; init; }
}

/// <summary>One agent over one board: the cloud link and command dispatcher
/// (when a broker is configured), the supervisor, and the LAN status page
/// (when an HTTP address is configured). <c>box-agent run</c> runs one; the
/// fleet simulator runs thousands in one process. Dispose stops the status
/// page, then the cloud link (retained offline status, clean disconnect).</summary>
public sealed class AgentHost : IAsyncDisposable
{
    private AgentHost(string boxId, Supervisor supervisor, CloudWiring? cloud, HttpWiring? http, ChunkTraffic traffic, TrafficReporter reporter, UsageLedger usage, Task completion)
    {
        BoxId = boxId;
        Usage = usage;
        ChunkTraffic = traffic;
        _trafficReporter = reporter;
        Supervisor = supervisor;
        Cloud = cloud;
        Http = http;
        Completion = completion;
    }

    private readonly TrafficReporter _trafficReporter;

    public string BoxId { get; }
    /// <summary>What was served, for the owner's reward (on /data).</summary>
    public UsageLedger Usage { get; }
    /// <summary>Served traffic; the chunk server counts into it (telemetry, "serving" LED, status page).</summary>
    public ChunkTraffic ChunkTraffic { get; }
    public Supervisor Supervisor { get; }
    /// <summary>Null when no broker is configured.</summary>
    public CloudWiring? Cloud { get; }
    /// <summary>Null when no HTTP address is configured.</summary>
    public HttpWiring? Http { get; }
    /// <summary>The supervisor loop; completes after <c>stop</c> is cancelled.</summary>
    public Task Completion { get; }

    /// <summary>Wires the parts, starts the status page and the supervisor loop, and
    /// returns once the loop is running (board watched, link started). Throws
    /// <see cref="ConfigException"/> for unusable broker settings, and whatever the
    /// HTTP server throws when it cannot listen (nothing is left running then).</summary>
    public static async Task<AgentHost> StartAsync(AgentHostOptions options, CancellationToken stop)
    {
        var config = options.Config.Effective;
        var boxId = config.Id ?? ResolveBoxId(options, config.DataDir);
        var inbox = new SupervisorInbox();
        var cloud = CloudWiring.Create(config, boxId, inbox, options.Log, options.FirmwareVersion, options.Slot, options.Board.System.Uptime);
        HttpWiring? http = null;
        var traffic = new ChunkTraffic();
        TrafficReporter? reporter = null;
        UsageLedger? usage = null;
        try
        {
            usage = OpenUsage(config.DataDir, cloud, options.Log);
            var stores = new StoreSet();
            var supervisor = new Supervisor(new SupervisorOptions
            {
                Board = options.Board,
                Config = options.Config,
                Inbox = inbox,
                Log = options.Log,
                BoxId = boxId,
                Link = cloud?.Link,
                Dispatch = cloud is null ? null : cloud.Dispatcher.DispatchAsync,
                FirmwareVersion = options.FirmwareVersion,
                Slot = options.Slot,
                ConfigWarnings = options.ConfigWarnings,
                Stores = stores,
                Usage = usage,
            });
            cloud?.RegisterCommands(supervisor);
            var parts = new HttpWiring.Parts(stores, new ServeRecorders(usage, stores), traffic);
            http = await HttpWiring.StartAsync(config, boxId, supervisor, options.Log, parts).ConfigureAwait(false);
            if (http is not null)
                supervisor.ConfigApplied += http.Reconfigure;
            reporter = new TrafficReporter(traffic, inbox);
            var loop = supervisor.RunAsync(stop);
            await supervisor.Ready.ConfigureAwait(false);
            return new AgentHost(boxId, supervisor, cloud, http, traffic, reporter, usage, loop);
        }
        catch
        {
            if (reporter is not null) await reporter.DisposeAsync().ConfigureAwait(false);
            if (http is not null) await http.DisposeAsync().ConfigureAwait(false);
            usage?.Dispose();
            if (cloud is not null) await cloud.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The usage ledger under DATA/usage. Reports go to the link's
    /// durable queue; without a broker they stay pending. A damaged ledger
    /// state is set aside (kept for the owner's account, said in the log) so
    /// the box goes on counting rather than refusing to serve.</summary>
    private static UsageLedger OpenUsage(string dataDir, CloudWiring? cloud, AgentLog log)
    {
        var directory = Path.Combine(dataDir, "usage");
        Action<JsonObject> publish = cloud is null
            ? _ => throw new InvalidOperationException("no broker configured")
            : cloud.Link.PublishUsage;
        void Log(string line) => log.Info($"usage: {line}");
        try
        {
            return UsageLedger.Open(directory, publish, TimeProvider.System, Log);
        }
        catch (UsageLedgerException e)
        {
            log.Error($"usage: {e.Message}");
            UsageLedger.SetAsideDamagedState(directory, TimeProvider.System, Log);
            return UsageLedger.Open(directory, publish, TimeProvider.System, Log);
        }
    }

    private static string ResolveBoxId(AgentHostOptions options, string dataDir)
    {
        var identity = BoxIds.Resolve(options.Root, dataDir, options.Board.System.SerialNumber);
        options.Log.Info($"box id {identity.Id} from {identity.Source}");
        return identity.Id;
    }

    public async ValueTask DisposeAsync()
    {
        await _trafficReporter.DisposeAsync().ConfigureAwait(false);
        if (Http is not null) await Http.DisposeAsync().ConfigureAwait(false);
        Usage.Dispose(); // after the server: its last responses are recorded
        if (Cloud is not null) await Cloud.DisposeAsync().ConfigureAwait(false);
    }
}
