using System.Text.Json.Nodes;

namespace Box.Agent.Configuration;

/// <summary>Layering of the configuration: defaults &lt; local file &lt; desired
/// config from the cloud (only <see cref="CloudKeys"/>) &lt; command-line flags.
/// Layers are kept as JSON and merged key by key (objects merge, everything
/// else replaces), then the merged document is validated as a whole, so a
/// desired config that conflicts with the file (low above high watermark) is
/// rejected too. Owned by the supervisor loop; not thread-safe.</summary>
public sealed class ConfigLayers
{
    /// <summary>Top-level keys the cloud may set. Never broker, id or firmware
    /// keys: whoever can write the config topic must not redirect the box or
    /// make it accept other firmware.</summary>
    public static readonly IReadOnlySet<string> CloudKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "version", "telemetryIntervalSeconds", "store", "serve", "scheduler", "pairing",
    };

    private readonly JsonObject _file;
    private readonly JsonObject _flags;
    private JsonObject? _desired;

    private ConfigLayers(JsonObject file, JsonObject flags, AgentConfig effective)
    {
        _file = file;
        _flags = flags;
        Effective = effective;
    }

    /// <summary>The merged, validated configuration.</summary>
    public AgentConfig Effective { get; private set; }

    /// <summary>The applied desired config (cloud keys only), or null.</summary>
    public JsonObject? Desired => _desired;

    /// <summary>Builds the file + flags layers. Throws <see cref="ConfigException"/>
    /// naming the key when either is invalid; unknown keys go to <paramref name="warnings"/>.</summary>
    public static ConfigLayers Create(JsonObject file, string fileSource, JsonObject flags, List<string> warnings)
    {
        // Validate each layer on its own first, so a message names where the bad value came from.
        ConfigParser.Build(file, fileSource, warnings);
        ConfigParser.Build(flags, "command line", []);
        var effective = ConfigParser.Build(Merge(file, flags), fileSource, []);
        return new ConfigLayers(file, flags, effective);
    }

    /// <summary>Reads the local file (null path = defaults only) and builds the layers.</summary>
    public static ConfigLayers Load(string? path, JsonObject flags, List<string> warnings)
    {
        if (path is null) return Create([], "defaults", flags, warnings);
        var source = $"config {path}";
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{source}: cannot read ({e.Message})");
        }
        return Create(ConfigParser.ParseObject(bytes, source), source, flags, warnings);
    }

    public enum DesiredOutcome { Applied, NotNewer }

    /// <summary>Validates a desired config and applies it when its version is newer
    /// than the effective one. Throws <see cref="ConfigException"/> (nothing
    /// changes) when it is invalid alone or merged with the other layers. Keys the
    /// cloud may not set, and unknown keys, are reported in <paramref name="warnings"/> and ignored.</summary>
    public DesiredOutcome ApplyDesired(JsonObject desired, List<string> warnings)
    {
        var source = "desired config";
        if (!desired.TryGetPropertyValue("version", out var versionNode))
            throw new ConfigException($"{source}: version: required");
        var filtered = new JsonObject();
        foreach (var (key, value) in desired)
        {
            if (CloudKeys.Contains(key))
                filtered[key] = value?.DeepClone();
            else if (IsKnownLocalKey(key))
                warnings.Add($"{source}: {key}: not settable from the cloud, ignored");
            else
                warnings.Add($"{source}: {key}: unknown key, ignored");
        }
        var alone = ConfigParser.Build(filtered, source, warnings);
        var merged = ConfigParser.Build(Merge(Merge(_file, filtered), _flags), source, []);
        if (alone.Version <= Effective.Version)
            return DesiredOutcome.NotNewer;
        _desired = filtered;
        Effective = merged;
        return DesiredOutcome.Applied;
    }

    /// <summary>Drops the desired layer (factory reset): back to file + flags.</summary>
    public void ClearDesired()
    {
        _desired = null;
        Effective = ConfigParser.Build(Merge(_file, _flags), "config", []);
    }

    private static bool IsKnownLocalKey(string key) => key is
        "id" or "board" or "simDir" or "dataDir" or "http" or "broker" or "queue" or "firmware";

    /// <summary>Deep merge: objects merge key by key; any other overlay value replaces.</summary>
    public static JsonObject Merge(JsonObject under, JsonObject over)
    {
        var result = (JsonObject)under.DeepClone();
        foreach (var (key, value) in over)
        {
            if (value is JsonObject overChild && result[key] is JsonObject underChild)
                result[key] = Merge(underChild, overChild);
            else
                result[key] = value?.DeepClone();
        }
        return result;
    }
}
