using System.Text.Json.Nodes;
using Box.Agent.Cloud.Link;
using Box.Agent.Configuration;

namespace Box.Agent.Supervision;

public sealed partial class Supervisor
{
    private async ValueTask OnCloudAsync(CloudInput input)
    {
        switch (input)
        {
            case CloudInput.LinkUp:
                _online = true;
                _log.Info("cloud link up");
                break;
            case CloudInput.LinkDown down:
                if (_online) _log.Warn($"cloud link down: {down.Reason}");
                _online = false;
                break;
            case CloudInput.CommandArrived command:
                if (DispatchCommand is null)
                    _log.Warn("command received but no dispatcher is attached; dropped");
                else
                    await DispatchCommand(command).ConfigureAwait(false);
                break;
            case CloudInput.DesiredConfigArrived desired:
                OnDesiredConfig(desired.Payload);
                break;
        }
    }

    private void OnDesiredConfig(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            _log.Info($"desired config cleared on the broker; keeping config v{_config.Effective.Version}");
            return;
        }
        var before = _config.Effective;
        var warnings = new List<string>();
        ConfigLayers.DesiredOutcome outcome;
        JsonObject doc;
        try
        {
            doc = ConfigParser.ParseObject(payload.Span, "desired config");
            outcome = _config.ApplyDesired(doc, warnings);
        }
        catch (ConfigException e)
        {
            ReportError("config", $"{e.Message}; keeping config v{before.Version}");
            return;
        }
        foreach (var warning in warnings)
            ReportError("config", warning);
        if (outcome == ConfigLayers.DesiredOutcome.NotNewer)
        {
            _log.Info($"desired config version {doc["version"]?.ToJsonString()} is not newer than v{before.Version}; ignored");
            return;
        }
        try
        {
            _desiredStore.Save(_config.Desired!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ReportError("config", $"config v{_config.Effective.Version} applied but not persisted: {e.Message}");
        }
        _log.Info($"config v{_config.Effective.Version} applied (desired config)");
        OnConfigApplied(before);
    }

    /// <summary>Applies the desired config stored on /data at start (before the broker answers).</summary>
    private void LoadStoredDesiredConfig()
    {
        var warnings = new List<string>();
        try
        {
            var stored = _desiredStore.Load();
            if (stored is null) return;
            var before = _config.Effective;
            if (_config.ApplyDesired(stored, warnings) == ConfigLayers.DesiredOutcome.Applied)
            {
                _log.Info($"config v{_config.Effective.Version} loaded from {_desiredStore.Path}");
                OnConfigApplied(before);
            }
        }
        catch (ConfigException e)
        {
            ReportError("config", $"{e.Message}; ignored");
        }
        foreach (var warning in warnings)
            _log.Warn(warning);
    }

    private void OnConfigApplied(AgentConfig before)
    {
        if (before.TelemetryIntervalSeconds != _config.Effective.TelemetryIntervalSeconds && !_booting)
            ScheduleTelemetry();
    }
}
