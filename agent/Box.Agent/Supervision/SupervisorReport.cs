using Box.Agent.Indication;
using Box.Hal;

namespace Box.Agent.Supervision;

public sealed partial class Supervisor
{
    private readonly Dictionary<string, LedPattern> _shownLeds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _failedLeds = new(StringComparer.Ordinal);
    private string? _reportedState;

    /// <summary>After every input: LEDs, snapshot, and the state document if it changed.</summary>
    private void AfterChange()
    {
        var leds = ApplyLeds();
        var snapshot = BuildSnapshot(leds);
        Volatile.Write(ref _snapshot, snapshot);
        if (_link is null) return;
        var state = StateDocument.Build(snapshot);
        var text = state.ToJsonString();
        if (text == _reportedState) return;
        _reportedState = text;
        _link.ReportState(state);
    }

    private LedInputs CurrentLedInputs() => new()
    {
        FactoryReset = _factoryResetShowing,
        Hold = _hold,
        Identify = _identifying,
        Updating = _update.InProgress,
        Error = _activeErrors.Count > 0 || _diskErrors.Count > 0,
        PairingWindow = _pairing.IsOpen,
        Booting = _booting,
        Network = _link is null ? NetworkState.Standalone : _online ? NetworkState.Online : NetworkState.Connecting,
        Disk = CurrentDiskState(),
        Serving = _traffic.Connections > 0,
    };

    private LedPatterns CurrentLeds() => LedPolicy.Decide(CurrentLedInputs());

    /// <summary>Sets each LED whose pattern changed. A LED that refuses is reported
    /// once and retried on the next change.</summary>
    private LedPatterns ApplyLeds()
    {
        var patterns = CurrentLeds();
        foreach (var (role, led) in _board.Leds)
        {
            var pattern = patterns.ForRole(role);
            if (_shownLeds.TryGetValue(role, out var shown) && shown == pattern) continue;
            try
            {
                led.SetPattern(pattern);
                _shownLeds[role] = pattern;
                _failedLeds.Remove(role);
            }
            catch (Exception e) when (e is HalException or IOException or UnauthorizedAccessException)
            {
                if (_failedLeds.Add(role)) ReportError("led", $"{role}: {e.Message}");
            }
        }
        return patterns;
    }

    private AgentSnapshot BuildSnapshot(LedPatterns leds)
    {
        var errors = new List<string>();
        foreach (var (part, message) in _activeErrors) errors.Add($"{part}: {message}");
        foreach (var (disk, message) in _diskErrors) errors.Add($"disk {disk}: {message}");
        var ledMap = new Dictionary<string, LedPattern>(StringComparer.Ordinal);
        foreach (var role in _board.Leds.Keys) ledMap[role] = leds.ForRole(role);
        return new AgentSnapshot
        {
            BoxId = _o.BoxId,
            Board = _board.Name,
            FirmwareVersion = _o.FirmwareVersion,
            Slot = _o.Slot,
            StartedAt = _startedAt,
            TakenAt = _time.GetUtcNow(),
            CloudConfigured = _link is not null,
            Online = _online,
            Owner = _owner,
            Pairing = _pairing.IsOpen ? new PairingSnapshot(_pairing.Code!, _pairing.ExpiresAt!.Value, _pairing.TriesLeft) : null,
            Disks = [.. _disks.Values.OrderBy(d => d.Device, StringComparer.Ordinal)
                .Select(d => new DiskSnapshot(d, _diskErrors.GetValueOrDefault(d.Device)))],
            Store = _store,
            Traffic = _traffic,
            Update = _update,
            ConfigVersion = _config.Effective.Version,
            Leds = ledMap,
            StatusCondition = leds.Condition,
            Errors = errors,
        };
    }
}
