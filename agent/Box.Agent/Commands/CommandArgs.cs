using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Box.Agent.Cloud.Commands;
using Box.Protocol.Commands;
using Box.Store;

namespace Box.Agent.Commands;

/// <summary>Argument checks that answer bad_request naming the field, e.g.
/// "args.seconds: expected integer 1..3600, got \"5\"".</summary>
public static class CommandArgs
{
    public static int Int(JsonObject args, string name, int min, int max, int? fallback = null) =>
        (int)Long(args, name, min, max, fallback);

    public static long Long(JsonObject args, string name, long min, long max, long? fallback = null)
    {
        if (!args.TryGetPropertyValue(name, out var node) || node is null)
            return fallback ?? throw Bad(name, $"required integer {min}..{max}");
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number ||
            !long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ||
            n < min || n > max)
            throw Bad(name, $"expected integer {min}..{max}, got {Show(node)}");
        return n;
    }

    public static bool Bool(JsonObject args, string name, bool fallback)
    {
        if (!args.TryGetPropertyValue(name, out var node) || node is null)
            return fallback;
        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Bad(name, $"expected true or false, got {Show(node)}"),
        };
    }

    /// <summary>A chunk hash: 64 hex characters (either case).</summary>
    public static ChunkHash Hash(JsonObject args, string name)
    {
        var text = String(args, name, ChunkHash.HexLength);
        return ChunkHash.TryParse(text, out var hash) ? hash : throw Bad(name, $"expected a SHA-256 as 64 hex characters, got {Show(args[name]!)}");
    }

    /// <summary>An array of chunk hashes, 1..<paramref name="max"/> of them.</summary>
    public static List<ChunkHash> Hashes(JsonObject args, string name, int max)
    {
        if (!args.TryGetPropertyValue(name, out var node) || node is not JsonArray items)
            throw Bad(name, "required array of hashes");
        if (items.Count == 0 || items.Count > max)
            throw Bad(name, $"expected 1..{max} hashes, got {items.Count}");
        var hashes = new List<ChunkHash>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is not JsonValue v || v.GetValueKind() != JsonValueKind.String || !ChunkHash.TryParse(v.GetValue<string>(), out var hash))
                throw Bad($"{name}[{i}]", $"expected a SHA-256 as 64 hex characters, got {(items[i] is null ? "null" : Show(items[i]!))}");
            hashes.Add(hash);
        }
        return hashes;
    }

    /// <summary>An absolute http:// or https:// URL.</summary>
    public static Uri HttpUrl(JsonObject args, string name, int maxLength)
    {
        var text = String(args, name, maxLength);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw Bad(name, "expected an absolute http:// or https:// URL");
        if (uri.UserInfo.Length > 0)
            throw Bad(name, "must not carry credentials");
        return uri;
    }

    public static string String(JsonObject args, string name, int maxLength)
    {
        if (!args.TryGetPropertyValue(name, out var node) || node is null)
            throw Bad(name, "required string");
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
            throw Bad(name, $"expected string, got {Show(node)}");
        var text = value.GetValue<string>();
        if (text.Length == 0 || text.Length > maxLength)
            throw Bad(name, $"expected 1..{maxLength} characters, got {text.Length}");
        if (text.Any(char.IsControl))
            throw Bad(name, "must not contain control characters");
        return text;
    }

    public static CommandException Bad(string name, string problem) =>
        new(ErrorCodes.BadRequest, $"args.{name}: {problem}");

    private static string Show(JsonNode node)
    {
        var text = node.GetValueKind() switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            _ => node.ToJsonString(),
        };
        return text.Length > 40 ? text[..40] + "…" : text;
    }
}
