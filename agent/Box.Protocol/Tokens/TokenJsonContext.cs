using System.Text.Json;
using System.Text.Json.Serialization;

namespace Box.Protocol.Tokens;

/// <summary>Source-generated JSON for token headers and claims; duplicate
/// members are refused (two <c>alg</c>s must not mean two things).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, AllowDuplicateProperties = false, MaxDepth = 8)]
[JsonSerializable(typeof(JwtHeader))]
[JsonSerializable(typeof(ChunkTokenClaims))]
internal sealed partial class TokenJsonContext : JsonSerializerContext;
