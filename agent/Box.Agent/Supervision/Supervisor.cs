using System.Text.Json.Nodes;
using Box.Agent.Cloud.Link;
using Box.Agent.Configuration;
using Box.Agent.Indication;
using Box.Agent.Logging;
using Box.Agent.Pairing;
using Box.Hal;

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
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public string FirmwareVersion { get; init; } = "0.0.0";
    public string? Slot { get; init; }
    /// <summary>Warnings from reading the local config file (unknown keys), reported once at start.</summary>
    public IReadOnlyList<string> ConfigWarnings { get; init; } = [];
    /// <summary>How long the factory-reset LED pattern stays after the wipe.</summary>
    public TimeSpan FactoryResetDisplay { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Time between a reboot job's final reply and the reboot, for the reply to leave.</summary>
    public TimeSpan RebootGrace { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// The one event loop of the agent. HAL events, cloud input, timers and job
/// results arrive through one channel; this loop alone owns the box's state
/// (no locks), decides, drives the LEDs through <see cref="LedPolicy"/>,
/// reports state and events through the cloud link, and publishes an immutable
/// <see cref="AgentSnapshot"/> for other threads.
/// Split by concern over partial files: buttons, disks, cloud/config, pairing,
/// commands, reporting.
/// </summary>
public sealed partial class Supervisor
{
    private readonly SupervisorOptions _o;
    private readonly IBoard _board;
    private readonly ICloudLink? _link;
    private readonly AgentLog _log;
    private readonly TimeProvider _time;
    private readonly SupervisorInbox _inbox;
    private readonly ConfigLayers _config;
    private readonly DesiredConfigStore _desiredStore;
    private readonly OwnerStore _ownerStore;
    private readonly PairingWindow _pairing;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly DateTimeOffset _startedAt;
    private ITimer? _telemetryTimer, _pairingTimer, _identifyTimer, _factoryResetTimer, _rebootTimer;

    private AgentSnapshot _snapshot;
    private bool _booting = true;
    private bool _online;

    public Supervisor(SupervisorOptions options)
    {
        _o = options;
        _board = options.Board;
        _link = options.Link;
        _log = options.Log;
        _time = options.Time;
        _inbox = options.Inbox;
        _config = options.Config;
        _desiredStore = new DesiredConfigStore(_config.Effective.DataDir);
        _ownerStore = new OwnerStore(_config.Effective.DataDir);
        _pairing = new PairingWindow(_time);
        _startedAt = _time.GetUtcNow();
        _snapshot = BuildSnapshot(default);
    }

    /// <summary>The latest snapshot; safe to read from any thread.</summary>
    public AgentSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Completes once the loop is running (board watched, link started).</summary>
    public Task Ready => _ready.Task;

    /// <summary>Hands a <c>cmd</c> message to the command dispatcher, which
    /// validates it and runs the handler on this loop (see <see cref="Commands.AgentCommands"/>).
    /// Set before <see cref="RunAsync"/>; null = commands are logged and dropped.</summary>
    public Func<CloudInput.CommandArrived, ValueTask>? DispatchCommand { get; set; }

    public SupervisorInbox Inbox => _inbox;

    public AgentLog Log => _log;

    public AgentConfig Config => _config.Effective;

    /// <summary>Runs until <paramref name="stop"/> is cancelled, then leaves the LEDs
    /// off. The board is the caller's to dispose.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            Start(stop);
            _ready.TrySetResult();
            await foreach (var input in _inbox.Reader.ReadAllAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    await HandleAsync(input).ConfigureAwait(false);
                    AfterChange();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One bad input (or a part that throws unexpectedly) must not stop the box.
                    _log.Error($"supervisor: {input.GetType().Name}: {e.GetType().Name}: {e.Message}");
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

    private void Start(CancellationToken stop)
    {
        foreach (var fault in _board.Faults)
            ReportError("board", fault.ToString());
        foreach (var warning in _o.ConfigWarnings)
            ReportError("config", warning);

        _owner = _ownerStore.Load(out var ownerProblem);
        if (ownerProblem is not null) ReportError("pairing", ownerProblem);
        LoadStoredDesiredConfig();

        foreach (var (role, button) in _board.Buttons)
        {
            _buttonRoles[button.Name] = role;
            button.Changed += (_, e) => _inbox.Post(new SupervisorInput.Button(e));
            button.Faulted += (_, f) => _inbox.Post(new SupervisorInput.ButtonFault(f));
            try
            {
                button.Start();
            }
            catch (HalException e)
            {
                ReportError("button", e.Message);
                _activeErrors[$"button:{button.Name}"] = e.Message;
            }
        }
        if (!_board.Buttons.ContainsKey(ButtonRoles.Reset))
            _log.Warn($"board {_board.Name}: no \"{ButtonRoles.Reset}\" button; pairing and factory reset need one");

        _board.Storage.Changed += (_, e) => _inbox.Post(new SupervisorInput.Disk(e));
        try
        {
            _board.Storage.Start();
        }
        catch (HalException e)
        {
            ReportError("storage", e.Message);
        }

        if (_link is not null)
            _ = StartLinkAsync(_link, stop);
        ScheduleTelemetry();
        _booting = false;
        AfterChange();
    }

    private async Task StartLinkAsync(ICloudLink link, CancellationToken stop)
    {
        try
        {
            await link.StartAsync(stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.Error($"cloud link: cannot start: {e.Message}");
        }
    }

    private ValueTask HandleAsync(SupervisorInput input)
    {
        switch (input)
        {
            case SupervisorInput.Button b: OnButton(b.Event); break;
            case SupervisorInput.ButtonFault f: OnButtonFault(f.Fault); break;
            case SupervisorInput.Disk d: OnDisk(d.Event); break;
            case SupervisorInput.Cloud c: return OnCloudAsync(c.Input);
            case SupervisorInput.Traffic t: _traffic = new TrafficFigures(t.BytesServed, t.Connections); break;
            case SupervisorInput.Store s: _store = new StoreFigures(s.UsedBytes, s.QuotaBytes, s.Chunks); break;
            case SupervisorInput.Update u: _update = new UpdateProgress(u.State, u.Version, Math.Clamp(u.Percent, 0, 100)); break;
            case SupervisorInput.TelemetryDue t: OnTelemetryDue(t.Generation); break;
            case SupervisorInput.PairingExpired p: OnPairingExpired(p.Generation); break;
            case SupervisorInput.IdentifyEnded i: OnIdentifyEnded(i.Generation); break;
            case SupervisorInput.FactoryResetShown: _factoryResetShowing = false; break;
            case SupervisorInput.RebootDue r: OnRebootDue(r.Job); break;
            case SupervisorInput.RebootNow: OnRebootNow(); break;
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Replaces <paramref name="slot"/> with a one-shot timer that posts
    /// <paramref name="input"/> after <paramref name="due"/> (through the channel, so
    /// the loop handles it like any other input).</summary>
    private void After(ref ITimer? slot, TimeSpan due, SupervisorInput input)
    {
        slot?.Dispose();
        slot = _time.CreateTimer(_ => _inbox.Post(input), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Logs a problem and reports it as an <c>error</c> event.</summary>
    private void ReportError(string source, string message, JsonObject? extra = null)
    {
        _log.Warn($"{source}: {message}");
        var fields = extra ?? [];
        fields["source"] = source;
        fields["message"] = message;
        _link?.PublishEvent("error", fields);
    }

    private void Shutdown()
    {
        foreach (var timer in new[] { _telemetryTimer, _pairingTimer, _identifyTimer, _factoryResetTimer, _rebootTimer })
            timer?.Dispose();
        foreach (var (role, led) in _board.Leds)
        {
            try
            {
                led.SetPattern(LedPattern.Off);
            }
            catch (Exception e) when (e is HalException or IOException or UnauthorizedAccessException)
            {
                _log.Warn($"led {role}: {e.Message}");
            }
        }
        _log.Info("supervisor stopped");
    }
}

/// <summary>Button roles the agent uses (board profiles map them to real keys).</summary>
public static class ButtonRoles
{
    public const string Reset = "reset";
}
