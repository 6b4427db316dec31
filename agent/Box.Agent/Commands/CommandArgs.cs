using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Box.Agent.Cloud.Commands;
using Box.Protocol.Commands;

namespace Box.Agent.Commands;

/// <summary>Argument checks that answer bad_request naming the field, e.g.
/// "args.seconds: expected integer 1..3600, got \"5\"".</summary>
public static class CommandArgs
{
    public static int Int(JsonObject args, string name, int min, int max, int? fallback = null)
    {
        if (!args.TryGetPropertyValue(name, out var node) || node is null)
            return fallback ?? throw Bad(name, $"required integer {min}..{max}");
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number ||
            !long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ||
            n < min || n > max)
            throw Bad(name, $"expected integer {min}..{max}, got {Show(node)}");
        return (int)n;
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
