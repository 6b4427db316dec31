using System.Text.Json.Serialization;

namespace Box.Protocol.Tokens;

/// <summary>What a chunk token grants (docs/contract.md, "Chunk tokens"):
/// chunk <see cref="H"/> until <see cref="Exp"/>, from <see cref="Nbf"/> if
/// given, on box <see cref="Box"/> only if given. Times are Unix seconds.
/// Other claims (iat, iss, aud…) a standard library adds are ignored.</summary>
public sealed record ChunkTokenClaims
{
    /// <summary>SHA-256 of the chunk, 64 hex digits (written lowercase).</summary>
    [JsonPropertyName("h"), JsonRequired]
    public required string H { get; init; }

    [JsonPropertyName("exp"), JsonRequired]
    public required long Exp { get; init; }

    /// <summary>The token's id, reported back in <c>usage</c>.</summary>
    [JsonPropertyName("jti"), JsonRequired]
    public required string Jti { get; init; }

    [JsonPropertyName("nbf")]
    public long? Nbf { get; init; }

    [JsonPropertyName("box")]
    public string? Box { get; init; }
}
