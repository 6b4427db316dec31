using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Box.Protocol.Topics;

namespace Box.Protocol.Tokens;

/// <summary>Signs chunk tokens as the scheduler does: a JWT in JWS compact
/// form, ES256, header <c>{"alg":"ES256","typ":"JWT","kid":…}</c>
/// (<c>kid</c> left out when null). For boxctl and tests; boxes never mint.</summary>
public sealed class ChunkTokenMinter
{
    readonly ECDsa _key;
    readonly string _headerSegment;

    /// <param name="privateKey">the scheduler's ECDSA P-256 key (not disposed here).</param>
    public ChunkTokenMinter(ECDsa privateKey, string? kid = null)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        if (privateKey.KeySize != 256)
            throw new ArgumentException($"the signing key must be ECDSA P-256, not a {privateKey.KeySize}-bit key", nameof(privateKey));
        if (kid is not null && !ChunkTokenFormat.IsPrintableAscii(kid, ChunkTokenFormat.MaxKidLength))
            throw new ArgumentException($"kid must be 1..{ChunkTokenFormat.MaxKidLength} printable ASCII characters", nameof(kid));
        _key = privateKey;
        var header = new JwtHeader { Alg = ChunkTokenFormat.Algorithm, Typ = ChunkTokenFormat.Type, Kid = kid };
        _headerSegment = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(header, TokenJsonContext.Default.JwtHeader));
    }

    /// <exception cref="ArgumentException">a claim breaks the format (hash, jti, box id).</exception>
    public string Mint(ChunkTokenClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        if (!ChunkTokenFormat.IsSha256Hex(claims.H))
            throw new ArgumentException($"hash must be 64 hex digits (SHA-256), not '{claims.H}'", nameof(claims));
        if (!ChunkTokenFormat.IsPrintableAscii(claims.Jti))
            throw new ArgumentException($"jti must be 1..{ChunkTokenFormat.MaxJtiLength} printable ASCII characters", nameof(claims));
        if (claims.Box is not null && BoxId.Problem(claims.Box) is { } problem)
            throw new ArgumentException(problem, nameof(claims));
        var normalized = claims with { H = claims.H.ToLowerInvariant() };
        string payloadSegment = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(normalized, TokenJsonContext.Default.ChunkTokenClaims));
        string signingInput = _headerSegment + "." + payloadSegment;
        byte[] signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>A token for <paramref name="sha256Hex"/> valid until <paramref name="expires"/>.</summary>
    public string Mint(string sha256Hex, DateTimeOffset expires, string jti, string? box = null, DateTimeOffset? notBefore = null) =>
        Mint(new ChunkTokenClaims
        {
            H = sha256Hex,
            Exp = expires.ToUnixTimeSeconds(),
            Jti = jti,
            Box = box,
            Nbf = notBefore?.ToUnixTimeSeconds(),
        });
}
