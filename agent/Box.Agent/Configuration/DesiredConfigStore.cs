using System.Text.Json.Nodes;
using Box.Platform;

namespace Box.Agent.Configuration;

/// <summary>The applied desired config on /data (<c>desired-config.json</c>), so it
/// survives a restart even before the broker is reachable.</summary>
public sealed class DesiredConfigStore(string dataDir)
{
    public string Path { get; } = System.IO.Path.Combine(dataDir, "desired-config.json");

    /// <summary>The stored document, or null when there is none. Throws
    /// <see cref="ConfigException"/> when the file is unreadable or not a JSON object.</summary>
    public JsonObject? Load()
    {
        if (!File.Exists(Path)) return null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"stored desired config {Path}: cannot read ({e.Message})");
        }
        return ConfigParser.ParseObject(bytes, $"stored desired config {Path}");
    }

    public void Save(JsonObject desired) => AtomicFile.WriteText(Path, desired.ToJsonString());

    public void Delete() => AtomicFile.Delete(Path);
}
