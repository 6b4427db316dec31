using System.Text.Json;
using System.Text.Json.Nodes;
using Box.Platform;

namespace Box.Agent.Pairing;

/// <summary>The owner binding on /data (<c>owner.json</c>: {"owner":"…","pairedAt":unix}),
/// written atomically so a power cut leaves the old or the new binding.</summary>
public sealed class OwnerStore(string dataDir)
{
    public string Path { get; } = System.IO.Path.Combine(dataDir, "owner.json");

    /// <summary>The bound owner, or null. A damaged file counts as unpaired and
    /// is reported through <paramref name="problem"/> (the box must still boot).</summary>
    public string? Load(out string? problem)
    {
        problem = null;
        if (!File.Exists(Path)) return null;
        try
        {
            var node = JsonNode.Parse(File.ReadAllBytes(Path));
            if (node is JsonObject obj && obj["owner"] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                return v.GetValue<string>();
            problem = $"{Path}: no \"owner\" string; treating the box as unpaired";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            problem = $"{Path}: unreadable ({e.Message}); treating the box as unpaired";
        }
        return null;
    }

    public void Save(string owner, DateTimeOffset pairedAt) =>
        AtomicFile.WriteText(Path, new JsonObject
        {
            ["owner"] = owner,
            ["pairedAt"] = pairedAt.ToUnixTimeSeconds(),
        }.ToJsonString());

    public void Clear() => AtomicFile.Delete(Path);
}
