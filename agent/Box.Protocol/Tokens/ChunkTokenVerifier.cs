using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using F = Box.Protocol.Tokens.ChunkTokenFailure;

namespace Box.Protocol.Tokens;

/// <summary>
/// Checks chunk tokens offline on the box (docs/contract.md, "Chunk tokens").
/// Order matters: size, shape, header (ES256 only, no <c>crit</c>), key by
/// <c>kid</c>, signature, and only then the claims. Never throws for any
/// token text. Times come from <see cref="TimeProvider"/>, with
/// <see cref="ChunkTokenFormat.ClockSkew"/> leeway on <c>exp</c> and <c>nbf</c>.
/// </summary>
public sealed class ChunkTokenVerifier(ChunkTokenKeys keys, TimeProvider clock)
{
    /// <param name="token">the bearer token as received (null/empty = missing).</param>
    /// <param name="chunkHash">the SHA-256 hex of the requested chunk.</param>
    /// <param name="boxId">this box's id, checked against the optional <c>box</c> claim.</param>
    public ChunkTokenResult Verify(string? token, string chunkHash, string? boxId = null)
    {
        ArgumentNullException.ThrowIfNull(chunkHash);
        return Check(token, chunkHash, boxId, checkBox: true);
    }

    /// <summary>For operator tools (<c>boxctl token verify</c>): like
    /// <see cref="Verify"/>, but a null <paramref name="chunkHash"/> or
    /// <paramref name="boxId"/> is not checked. Header, key, signature and
    /// time always are. The chunk server never calls this.</summary>
    public ChunkTokenResult Inspect(string? token, string? chunkHash = null, string? boxId = null) =>
        Check(token, chunkHash, boxId, checkBox: boxId is not null);

    ChunkTokenResult Check(string? token, string? chunkHash, string? boxId, bool checkBox)
    {
        if (string.IsNullOrEmpty(token))
            return Fail(F.Missing, "no token");
        if (token.Length > ChunkTokenFormat.MaxTokenLength)
            return Fail(F.TooLong, $"token is longer than {ChunkTokenFormat.MaxTokenLength} characters");
        int dot1 = token.IndexOf('.');
        int dot2 = dot1 < 0 ? -1 : token.IndexOf('.', dot1 + 1);
        if (dot1 <= 0 || dot2 <= dot1 + 1 || dot2 == token.Length - 1 || token.IndexOf('.', dot2 + 1) >= 0)
            return Fail(F.Malformed, "token must be three non-empty base64url segments joined by '.' (JWS compact)");

        if (!TryDecode(token.AsSpan(0, dot1), out var headerJson)
            || !TryDecode(token.AsSpan(dot1 + 1, dot2 - dot1 - 1), out var payloadJson)
            || !TryDecode(token.AsSpan(dot2 + 1), out var signature))
            return Fail(F.BadBase64Url, "a token segment is not unpadded base64url");

        JwtHeader? header = Parse(headerJson, TokenJsonContext.Default.JwtHeader);
        if (header is null)
            return Fail(F.BadJson, "the header is not a JSON object of string members");
        // Ordinal: "es256" or "none" must not slip through (RFC 7515 names are case-sensitive).
        if (header.Alg != ChunkTokenFormat.Algorithm)
            return Fail(F.WrongAlgorithm, header.Alg is null ? "the header has no alg" : $"alg '{Shorten(header.Alg)}' is not accepted, only ES256");
        if (header.Other is { } other && other.ContainsKey("crit"))
            return Fail(F.UnsupportedHeader, "the header has 'crit': no JWS extensions are supported");
        if (header.Typ is not null && !string.Equals(header.Typ, ChunkTokenFormat.Type, StringComparison.OrdinalIgnoreCase))
            return Fail(F.Malformed, $"typ '{Shorten(header.Typ)}' is not JWT");

        var key = keys.Find(header.Kid);
        if (key is null)
            return Fail(F.UnknownKey, header.Kid is null ? "the token has no kid and no default scheduler key is configured" : $"no scheduler key with kid '{Shorten(header.Kid)}'");
        if (signature.Length != ChunkTokenFormat.SignatureLength)
            return Fail(F.BadSignature, $"the signature is {signature.Length} bytes, ES256 has {ChunkTokenFormat.SignatureLength}");
        if (!key.VerifyData(Encoding.ASCII.GetBytes(token, 0, dot2), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            return Fail(F.BadSignature, "the signature does not match the scheduler key");

        // From here on the claims are the scheduler's word.
        var claims = Parse(payloadJson, TokenJsonContext.Default.ChunkTokenClaims);
        if (claims is null)
            return Fail(F.BadJson, "the claims are not a JSON object with string h, integer exp and string jti");
        if (!ChunkTokenFormat.IsSha256Hex(claims.H))
            return Fail(F.Malformed, "claim h is not a SHA-256 hex string");
        if (!ChunkTokenFormat.IsPrintableAscii(claims.Jti))
            return Fail(F.Malformed, $"claim jti must be 1..{ChunkTokenFormat.MaxJtiLength} printable ASCII characters");

        if (chunkHash is not null && !FixedTimeEqualsIgnoreCase(claims.H, chunkHash))
            return new(F.WrongChunk, $"the token is for chunk {claims.H}, not this one", claims);
        if (checkBox && claims.Box is not null && (boxId is null || !FixedTimeEqualsIgnoreCase(claims.Box, boxId, ignoreCase: false)))
            return new(F.WrongBox, $"the token is for box '{Shorten(claims.Box)}', not this one", claims);
        long now = clock.GetUtcNow().ToUnixTimeSeconds();
        long skew = (long)ChunkTokenFormat.ClockSkew.TotalSeconds;
        if (now >= SaturatingAdd(claims.Exp, skew))
            return new(F.Expired, $"the token expired at {claims.Exp} (now {now})", claims);
        if (claims.Nbf is { } nbf && now < SaturatingAdd(nbf, -skew))
            return new(F.NotYetValid, $"the token is valid from {nbf} (now {now})", claims);
        return new(F.None, "valid", claims);
    }

    static ChunkTokenResult Fail(F failure, string reason) => new(failure, reason);

    static bool TryDecode(ReadOnlySpan<char> segment, out byte[] bytes)
    {
        bytes = [];
        foreach (char c in segment)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                return false;
        // A length of 4n+1 cannot be base64; the decoder throws on it.
        if (segment.Length % 4 == 1)
            return false;
        try
        {
            bytes = Base64Url.DecodeFromChars(segment);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    static T? Parse<T>(byte[] json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Length-independent timing for equal-length inputs; hashes
    /// are fixed length, so nothing about the expected value leaks.</summary>
    static bool FixedTimeEqualsIgnoreCase(string a, string b, bool ignoreCase = true)
    {
        if (ignoreCase)
        {
            a = a.ToLowerInvariant();
            b = b.ToLowerInvariant();
        }
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
    }

    static long SaturatingAdd(long value, long delta) =>
        delta > 0 && value > long.MaxValue - delta ? long.MaxValue
        : delta < 0 && value < long.MinValue - delta ? long.MinValue
        : value + delta;

    static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
