using System.Text.Json;
using System.Text.Json.Nodes;

namespace Box.Ctl.Output;

/// <summary>JsonNode helpers (no reflection serialization: trim/AOT clean).</summary>
public static class Json
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, TypeInfoResolver = null };

    /// <summary>The payload as a JSON object, or null (empty, not JSON, not an object).</summary>
    public static JsonObject? TryParseObject(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
            return null;
        try
        {
            return JsonNode.Parse(payload) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string? String(JsonObject? o, string name) =>
        o?[name] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    public static long? Long(JsonObject? o, string name) =>
        Number(o, name) is { } d && d == Math.Floor(d) && Math.Abs(d) < 9e15 ? (long)d : null;

    /// <summary>Numbers parsed from JSON and numbers built in code (int,
    /// long, double values) alike.</summary>
    public static double? Double(JsonObject? o, string name) => Number(o, name);

    static double? Number(JsonObject? o, string name)
    {
        if (o?[name] is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
            return null;
        if (v.TryGetValue(out long l))
            return l;
        if (v.TryGetValue(out int i))
            return i;
        return v.TryGetValue(out double d) ? d : null;
    }

    public static bool? Bool(JsonObject? o, string name) =>
        o?[name] is JsonValue v && v.TryGetValue(out bool b) ? b : null;

    public static string Compact(JsonNode? node) => node?.ToJsonString() ?? "null";

    public static string Pretty(JsonNode? node) => node?.ToJsonString(Indented) ?? "null";
}
