using System.Text.Json.Nodes;
using Box.Agent.Cloud.Link;
using Box.Agent.Configuration;
using Box.Agent.Indication;
using Box.Agent.Logging;
using Box.Agent.Pairing;
using Box.Agent.Storage;
using Box.Agent.Supervision.Concerns;
using Box.Agent.Usage;
using Box.Hal;
using Box.Store.Ingest;

namespace Box.Agent.Supervision;

public sealed record SupervisorOptions
{
    public required IBoard Board { get; init; }
    public required ConfigLayers Config { get; init; }
    public required SupervisorInbox Inbox { get; init; }
    public required AgentLog Log { get; init; }
    public required string BoxId { get; init; }
    /// <summary>Null: no broker configured, the box runs on its own.</summary>
    public ICloudLink? Link { get; init; }
    /// <summary>Where <c>cmd</c> messages go (the command dispatcher); null: logged and dropped.</summary>
    public CommandDispatch? Dispatch { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public string FirmwareVersion { get; init; } = "0.0.0";
    public string? Slot { get; init; }
    /// <summary>Warnings from reading the local config file (unknown keys), reported once at start.</summary>
    public IReadOnlyList<string> ConfigWarnings { get; init; } = [];
    /// <summary>The chunk stores the chunk server reads; the supervisor opens and closes them.</summary>
    public StoreSet Stores { get; init; } = new();
    /// <summary>Downloads for <c>chunk.prefetch</c>; null: one built from the store configuration.</summary>
    public ChunkDownloader? Downloader { get; init; }
    /// <summary>The usage ledger the chunk server records into; null: no usage reports (tests).</summary>
    public UsageLedger? Usage { get; init; }
    /// <summary>How long the factory-reset LED pattern stays after the wipe.</summary>
    public TimeSpan FactoryResetDisplay { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Time between a reboot job's final reply and the reboot, for the reply to leave.</summary>
    public TimeSpan RebootGrace { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// The one event loop of the agent (docs/architecture.md, "Supervisor").
/// HAL events, cloud input, timers and job results arrive through one
/// channel; the loop routes each input to the concern it belongs to (disks,
/// pairing, buttons, factory reset, jobs, telemetry, configuration, cloud,
/// figures, LEDs), each of which owns its own state and timers. After every input
/// the concerns contribute to a fresh <see cref="SupervisorView"/>, from which
/// the loop sets the LEDs (<see cref="LedPolicy"/>), publishes an immutable
/// <see cref="AgentSnapshot"/> for other threads and reports the state
/// document when it changed. No locks: only the loop touches the concerns.
/// </summary>
public sealed class Supervisor
{
    private readonly SupervisorOptions _o;
    private readonly SupervisorInbox _inbox;
    private readonly ConcernContext _core;
    private readonly LedConcern _leds;
    private readonly IReadOnlyList<ISupervisorConcern> _concerns;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private AgentSnapshot _snapshot;
    private string? _reportedState;
    private bool _booting = true;

    public Supervisor(SupervisorOptions options)
    {
        _o = options;
        _inbox = options.Inbox;
        var dataDir = options.Config.Effective.DataDir;
        ConcernContext Context(string source) => new(source, _inbox, options.Time, options.Log, options.Link);
        _core = Context("board");
        _leds = new LedConcern(Context("led"), options.Board.Leds, _inbox);

        var configuration = new ConfigurationConcern(Context("config"), options.Config, new DesiredConfigStore(dataDir));
        Pairing = new PairingConcern(Context("pairing"), options.Config, new OwnerStore(dataDir));
        var disks = new DiskConcern(Context("disk"), options.Board.Storage, _inbox);
        var figures = new FiguresConcern(Context("figures"));
        var effective = options.Config.Effective;
        Store = new StoreConcern(Context("store"), disks, options.Stores, options.BoxId, () => options.Config.Effective,
            options.Downloader ?? new ChunkDownloader(DownloaderOptionsFrom(effective)));
        configuration.Applied += _ =>
        {
            Store.Reconfigure(options.Config.Effective);
            ConfigApplied?.Invoke(options.Config.Effective);
        };
        var factoryReset = new FactoryResetConcern(Context("factory-reset"), Pairing, configuration, options.FactoryResetDisplay);
        Jobs = new JobsConcern(Context("jobs"), options.Board.System, options.RebootGrace);
        Telemetry = new TelemetryConcern(Context("telemetry"), configuration, options.Board.System, disks, Store, figures);
        Usage = options.Usage is null ? null : new UsageConcern(Context("usage"), configuration, options.Usage);
        var buttons = new ButtonConcern(Context("button"), options.Board, options.Config, _inbox, Pairing, factoryReset);
        var cloud = new CloudConcern(Context("cloud"), options.Dispatch);
        // Start order matters: stored config before telemetry schedules; the link last.
        _concerns = [configuration, Pairing, disks, Store, figures, factoryReset, Jobs, Telemetry, .. Usage is null ? Array.Empty<ISupervisorConcern>() : [Usage], buttons, _leds, cloud];
        _snapshot = BuildSnapshot(Compose());
    }

    // The concerns command handlers act on (Commands/AgentCommands).
    public PairingConcern Pairing { get; }
    public JobsConcern Jobs { get; }
    public TelemetryConcern Telemetry { get; }
    public StoreConcern Store { get; }
    /// <summary>Null when no usage ledger was given.</summary>
    public UsageConcern? Usage { get; }

    /// <summary>Download settings from the store configuration.</summary>
    public static DownloaderOptions DownloaderOptionsFrom(AgentConfig config) => new()
    {
        MaxConcurrentDownloads = config.Store.MaxConcurrentDownloads,
        WriteBytesPerSecond = config.Store.WriteBytesPerSecond,
    };

    /// <summary>On the loop, after a new effective configuration was applied
    /// (the HTTP server takes token keys and upload limits from it).</summary>
    public event Action<AgentConfig>? ConfigApplied;

    /// <summary>The latest snapshot; safe to read from any thread.</summary>
    public AgentSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Completes once the loop is running (board watched, link started).</summary>
    public Task Ready => _ready.Task;

    public SupervisorInbox Inbox => _inbox;

    public AgentLog Log => _o.Log;

    public AgentConfig Config => _o.Config.Effective;

    /// <summary>The state document now (<c>state.get</c>).</summary>
    public JsonObject StateDocumentNow() => StateDocument.Build(BuildSnapshot(Compose()));

    /// <summary>Runs until <paramref name="stop"/> is cancelled, then leaves the LEDs
    /// off and disposes the concerns (their timers with them). The board is the caller's.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            Start();
            _ready.TrySetResult();
            await foreach (var input in _inbox.Reader.ReadAllAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    await RouteAsync(input).ConfigureAwait(false);
                    AfterChange();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One bad input (or a part that throws unexpectedly) must not stop the box.
                    _o.Log.Error($"supervisor: {input.GetType().Name}: {e.GetType().Name}: {e.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            _ready.TrySetResult();
            Shutdown();
        }
    }

    private void Start()
    {
        foreach (var fault in _o.Board.Faults)
            _core.ReportError(fault.ToString());
        foreach (var warning in _o.ConfigWarnings)
            _core.ReportError(warning, source: "config");
        foreach (var concern in _concerns)
            concern.Start();
        _booting = false;
        AfterChange();
    }

    private async ValueTask RouteAsync(SupervisorInput input)
    {
        switch (input)
        {
            case SupervisorInput.TimerFired timer:
                timer.Context.Deliver(timer);
                return;
            case SupervisorInput.WorkDone done:
                done.Context.Deliver(done);
                return;
        }
        foreach (var concern in _concerns)
            if (await concern.HandleAsync(input).ConfigureAwait(false))
                return;
        _o.Log.Debug($"supervisor: {input.GetType().Name}: no concern took it");
    }

    private SupervisorView Compose()
    {
        var view = new SupervisorView();
        foreach (var concern in _concerns)
            concern.Contribute(view);
        return view;
    }

    /// <summary>After every input: LEDs, snapshot, and the state document if it changed.</summary>
    private void AfterChange()
    {
        var view = Compose();
        var snapshot = BuildSnapshot(view);
        _leds.Show(snapshot.Patterns);
        Volatile.Write(ref _snapshot, snapshot);
        if (_o.Link is null) return;
        var state = StateDocument.Build(snapshot);
        var text = state.ToJsonString();
        if (text == _reportedState) return;
        _reportedState = text;
        _o.Link.ReportState(state);
    }

    private AgentSnapshot BuildSnapshot(SupervisorView view)
    {
        var patterns = LedPolicy.Decide(view.LedInputs(_booting));
        var ledMap = new Dictionary<string, LedPattern>(StringComparer.Ordinal);
        foreach (var role in _o.Board.Leds.Keys) ledMap[role] = patterns.ForRole(role);
        return new AgentSnapshot
        {
            BoxId = _o.BoxId,
            Board = _o.Board.Name,
            FirmwareVersion = _o.FirmwareVersion,
            Slot = _o.Slot,
            StartedAt = Telemetry.StartedAt,
            TakenAt = _o.Time.GetUtcNow(),
            CloudConfigured = _o.Link is not null,
            Online = view.Online,
            Owner = view.Owner,
            Pairing = view.Pairing,
            Disks = view.Disks,
            Store = view.Store,
            StoreDisks = view.StoreDisks,
            Downloading = view.Downloading,
            Traffic = view.Traffic,
            Update = view.Update,
            ConfigVersion = view.ConfigVersion,
            Leds = ledMap,
            Patterns = patterns,
            StatusCondition = patterns.Condition,
            Errors = view.Errors,
        };
    }

    private void Shutdown()
    {
        foreach (var concern in _concerns)
            concern.Dispose();
        _core.Dispose();
        _leds.AllOff();
        _o.Log.Info("supervisor stopped");
    }
}
