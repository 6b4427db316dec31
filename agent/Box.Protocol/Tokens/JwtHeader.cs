using System.Text.Json;
using System.Text.Json.Serialization;

namespace Box.Protocol.Tokens;

/// <summary>The JOSE header of a chunk token (RFC 7515 §4).</summary>
public sealed class JwtHeader
{
    [JsonPropertyName("alg")]
    public string? Alg { get; init; }

    [JsonPropertyName("typ")]
    public string? Typ { get; init; }

    [JsonPropertyName("kid")]
    public string? Kid { get; init; }

    /// <summary>Every other header parameter; read only to refuse <c>crit</c>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}
