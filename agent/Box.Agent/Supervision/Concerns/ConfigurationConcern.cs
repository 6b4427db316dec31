using System.Text.Json.Nodes;
using Box.Agent.Cloud.Link;
using Box.Agent.Configuration;

namespace Box.Agent.Supervision.Concerns;

/// <summary>The desired configuration from the cloud: applied when newer and
/// valid, persisted on /data so it holds before the broker answers after a
/// restart, forgotten on a factory reset. Rejections become <c>error</c>
/// events; the running configuration stays.</summary>
public sealed class ConfigurationConcern(ConcernContext context, ConfigLayers config, DesiredConfigStore store) : SupervisorConcern(context)
{
    /// <summary>Raised on the loop after the effective configuration changed, with the one before.</summary>
    public event Action<AgentConfig>? Applied;

    public AgentConfig Effective => config.Effective;

    public override void Start()
    {
        var warnings = new List<string>();
        try
        {
            var stored = store.Load();
            if (stored is null) return;
            var before = config.Effective;
            if (config.ApplyDesired(stored, warnings) == ConfigLayers.DesiredOutcome.Applied)
            {
                Context.Log.Info($"config v{config.Effective.Version} loaded from {store.Path}");
                Applied?.Invoke(before);
            }
        }
        catch (ConfigException e)
        {
            Context.ReportError($"{e.Message}; ignored");
        }
        foreach (var warning in warnings)
            Context.Log.Warn(warning);
    }

    public override ValueTask<bool> HandleAsync(SupervisorInput input)
    {
        if (input is not SupervisorInput.Cloud { Input: CloudInput.DesiredConfigArrived desired })
            return ValueTask.FromResult(false);
        OnDesired(desired.Payload);
        return ValueTask.FromResult(true);
    }

    private void OnDesired(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            Context.Log.Info($"desired config cleared on the broker; keeping config v{config.Effective.Version}");
            return;
        }
        var before = config.Effective;
        var warnings = new List<string>();
        ConfigLayers.DesiredOutcome outcome;
        JsonObject doc;
        try
        {
            doc = ConfigParser.ParseObject(payload.Span, "desired config");
            outcome = config.ApplyDesired(doc, warnings);
        }
        catch (ConfigException e)
        {
            Context.ReportError($"{e.Message}; keeping config v{before.Version}");
            return;
        }
        foreach (var warning in warnings)
            Context.ReportError(warning);
        if (outcome == ConfigLayers.DesiredOutcome.NotNewer)
        {
            Context.Log.Info($"desired config version {doc["version"]?.ToJsonString()} is not newer than v{before.Version}; ignored");
            return;
        }
        try
        {
            store.Save(config.Desired!);
        }
        catch (IOException e)
        {
            Context.ReportError($"config v{config.Effective.Version} applied but not persisted: {e.Message}");
        }
        Context.Log.Info($"config v{config.Effective.Version} applied (desired config)");
        Applied?.Invoke(before);
    }

    /// <summary>Factory reset: back to the local file and flags.</summary>
    public void ForgetDesired()
    {
        var before = config.Effective;
        try
        {
            store.Delete();
        }
        catch (IOException e)
        {
            Context.ReportError($"cannot delete the desired config: {e.Message}", source: "factory-reset");
        }
        config.ClearDesired();
        Applied?.Invoke(before);
        Context.Log.Info($"config back to v{config.Effective.Version} (desired config forgotten)");
    }

    public override void Contribute(SupervisorView view) => view.ConfigVersion = config.Effective.Version;
}
