using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Box.Ctl.Tokens;

/// <summary>Why a chunk token was refused.</summary>
public enum ChunkTokenError
{
    None,
    /// <summary>Not two base64url segments, bad JSON, a missing or mistyped field.</summary>
    Malformed,
    /// <summary>The signature does not match the payload under the scheduler's public key.</summary>
    BadSignature,
    /// <summary>Well formed and signed, but <c>exp</c> is not after now.</summary>
    Expired,
    /// <summary>Signed for a different chunk than the one requested.</summary>
    WrongHash,
}

/// <summary>What a valid token grants: one chunk until a time.</summary>
public sealed record ChunkTokenPayload(string Hash, long Expires, string Jti);

/// <summary>Outcome of <see cref="ChunkToken.Verify"/>: <see cref="Payload"/> when
/// valid, else <see cref="Error"/> and a one-line <see cref="Reason"/>.</summary>
public sealed record ChunkTokenCheck(ChunkTokenError Error, string Reason, ChunkTokenPayload? Payload)
{
    public bool IsValid => Error == ChunkTokenError.None;
}

/// <summary>
/// Chunk tokens in their pre-JWT form (docs/contract.md "Chunk tokens" has the JWT form that replaces it):
/// <c>base64url(payloadJson) "." base64url(signature)</c>, payload
/// <c>{"h":"&lt;sha256&gt;","exp":&lt;unix&gt;,"jti":"…"}</c>.
/// The signature is ECDSA P-256 with SHA-256 over the ASCII bytes of the
/// first (base64url payload) segment, exactly as JWS signs its input minus
/// the header, in IEEE P1363 form (r‖s, 64 bytes). base64url has no padding.
/// Self-contained (BCL only) so the agent's chunk server can copy
/// <see cref="Verify"/> verbatim.
/// </summary>
public static class ChunkToken
{
    /// <summary>Longer input is refused before any decoding work.</summary>
    public const int MaxTokenLength = 1024;
    public const int MaxJtiLength = 128;
    const int SignatureLength = 64; // P-256 r‖s

    /// <summary>Signs a token for <paramref name="sha256Hex"/> (64 hex digits,
    /// stored lowercase) valid until <paramref name="expiresUnix"/>.</summary>
    public static string Mint(ECDsa schedulerKey, string sha256Hex, long expiresUnix, string jti)
    {
        RequireP256(schedulerKey);
        if (!IsSha256Hex(sha256Hex))
            throw new ArgumentException($"hash must be 64 hex digits (SHA-256), not '{sha256Hex}'", nameof(sha256Hex));
        if (!IsValidJti(jti))
            throw new ArgumentException($"jti must be 1..{MaxJtiLength} printable ASCII characters", nameof(jti));

        var json = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("h", sha256Hex.ToLowerInvariant());
            writer.WriteNumber("exp", expiresUnix);
            writer.WriteString("jti", jti);
            writer.WriteEndObject();
        }
        string payloadSegment = Base64Url.EncodeToString(json.WrittenSpan);
        byte[] signature = schedulerKey.SignData(Encoding.ASCII.GetBytes(payloadSegment),
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return payloadSegment + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Checks format, signature, expiry (valid while now &lt; exp)
    /// and, when given, that the token is for <paramref name="expectedHash"/>.
    /// Never throws for bad input.</summary>
    public static ChunkTokenCheck Verify(ECDsa schedulerPublicKey, string? token, long nowUnix, string? expectedHash = null)
    {
        RequireP256(schedulerPublicKey);
        if (string.IsNullOrEmpty(token))
            return Fail(ChunkTokenError.Malformed, "token is empty");
        if (token.Length > MaxTokenLength)
            return Fail(ChunkTokenError.Malformed, $"token is longer than {MaxTokenLength} characters");
        int dot = token.IndexOf('.');
        if (dot <= 0 || dot == token.Length - 1 || token.IndexOf('.', dot + 1) >= 0)
            return Fail(ChunkTokenError.Malformed, "token must be two base64url segments joined by '.'");
        string payloadSegment = token[..dot];
        string signatureSegment = token[(dot + 1)..];
        if (!IsBase64UrlAlphabet(payloadSegment) || !IsBase64UrlAlphabet(signatureSegment))
            return Fail(ChunkTokenError.Malformed, "token has characters outside unpadded base64url");

        byte[] signature;
        byte[] payloadJson;
        try
        {
            signature = Base64Url.DecodeFromChars(signatureSegment);
            payloadJson = Base64Url.DecodeFromChars(payloadSegment);
        }
        catch (FormatException)
        {
            return Fail(ChunkTokenError.Malformed, "token segment is not valid base64url");
        }
        if (signature.Length != SignatureLength)
            return Fail(ChunkTokenError.Malformed, $"signature is {signature.Length} bytes, expected {SignatureLength} (P-256, IEEE P1363)");

        // Signature first: nothing from an unsigned payload is trusted or echoed.
        if (!schedulerPublicKey.VerifyData(Encoding.ASCII.GetBytes(payloadSegment), signature,
                HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            return Fail(ChunkTokenError.BadSignature, "signature does not match the scheduler key");

        var payload = ParsePayload(payloadJson, out string? problem);
        if (payload is null)
            return Fail(ChunkTokenError.Malformed, problem!);
        if (nowUnix >= payload.Expires)
            return new ChunkTokenCheck(ChunkTokenError.Expired, $"token expired at {payload.Expires} (now {nowUnix})", payload);
        if (expectedHash is not null && !string.Equals(payload.Hash, expectedHash, StringComparison.OrdinalIgnoreCase))
            return new ChunkTokenCheck(ChunkTokenError.WrongHash, $"token is for chunk {payload.Hash}, not {expectedHash}", payload);
        return new ChunkTokenCheck(ChunkTokenError.None, "valid", payload);
    }

    static ChunkTokenPayload? ParsePayload(byte[] json, out string? problem)
    {
        problem = null;
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 4, AllowDuplicateProperties = false });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "payload is not a JSON object";
                return null;
            }
            if (!root.TryGetProperty("h", out var h) || h.ValueKind != JsonValueKind.String || !IsSha256Hex(h.GetString()!))
            {
                problem = "payload field 'h' must be a SHA-256 hex string";
                return null;
            }
            if (!root.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number || !exp.TryGetInt64(out long expires))
            {
                problem = "payload field 'exp' must be an integer (Unix seconds)";
                return null;
            }
            if (!root.TryGetProperty("jti", out var jti) || jti.ValueKind != JsonValueKind.String || !IsValidJti(jti.GetString()!))
            {
                problem = $"payload field 'jti' must be a string of 1..{MaxJtiLength} printable ASCII characters";
                return null;
            }
            return new ChunkTokenPayload(h.GetString()!.ToLowerInvariant(), expires, jti.GetString()!);
        }
        catch (JsonException)
        {
            problem = "payload is not valid JSON";
            return null;
        }
    }

    static ChunkTokenCheck Fail(ChunkTokenError error, string reason) => new(error, reason, null);

    static void RequireP256(ECDsa key)
    {
        if (key.KeySize != 256)
            throw new ArgumentException($"scheduler key must be ECDSA P-256, not a {key.KeySize}-bit key", nameof(key));
    }

    public static bool IsSha256Hex(string value)
    {
        if (value.Length != 64)
            return false;
        foreach (char c in value)
            if (!char.IsAsciiHexDigit(c))
                return false;
        return true;
    }

    static bool IsValidJti(string jti)
    {
        if (jti.Length is 0 or > MaxJtiLength)
            return false;
        foreach (char c in jti)
            if (c is < '!' or > '~')
                return false;
        return true;
    }

    static bool IsBase64UrlAlphabet(string segment)
    {
        foreach (char c in segment)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
                return false;
        return true;
    }
}
