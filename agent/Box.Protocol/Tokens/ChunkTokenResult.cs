namespace Box.Protocol.Tokens;

/// <summary>Why a chunk token was refused. The first group is 401 (the
/// request did not prove who signed it), the second 403 (a genuine token that
/// does not grant this request).</summary>
public enum ChunkTokenFailure
{
    None,
    // 401
    Missing,
    TooLong,
    /// <summary>Not three '.'-separated segments, or a field of the wrong shape.</summary>
    Malformed,
    BadBase64Url,
    BadJson,
    /// <summary><c>alg</c> missing or anything but ES256 (none, HS256, RS256, ES384…).</summary>
    WrongAlgorithm,
    /// <summary>A <c>crit</c> header: extensions we do not implement must not be ignored (RFC 7515 §4.1.11).</summary>
    UnsupportedHeader,
    /// <summary>The <c>kid</c> names no configured key, or no <c>kid</c> and no default key.</summary>
    UnknownKey,
    BadSignature,
    // 403
    WrongChunk,
    WrongBox,
    Expired,
    NotYetValid,
}

/// <summary>Outcome of <see cref="ChunkTokenVerifier.Verify"/>. <see cref="Claims"/>
/// is set once the signature has been checked (also for 403 outcomes, for logs
/// and accounting), never from an unverified token.</summary>
public sealed record ChunkTokenResult(ChunkTokenFailure Failure, string Reason, ChunkTokenClaims? Claims = null)
{
    public bool IsValid => Failure == ChunkTokenFailure.None;

    /// <summary>The token is genuine but does not grant this request.</summary>
    public bool IsForbidden => Failure >= ChunkTokenFailure.WrongChunk;

    public bool IsUnauthorized => !IsValid && !IsForbidden;

    /// <summary>200, 401 or 403, as the chunk server answers.</summary>
    public int HttpStatus => IsValid ? 200 : IsForbidden ? 403 : 401;
}
