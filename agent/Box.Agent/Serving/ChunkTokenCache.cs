using System.Collections.Concurrent;
using Box.Protocol.Tokens;
using Box.Store;

namespace Box.Agent.Serving;

/// <summary>Tokens whose signature checked out, keyed by the exact token
/// text, so a client fetching many ranges of a chunk (or retrying) costs one
/// ECDSA verification instead of one per request. Only signature-verified
/// claims are kept: a forged or altered token is a different string and
/// misses. An entry is bound to the verifier (the key set) that checked it
/// and is ignored once the keys are replaced, and it expires with the token.
/// The claims are still checked per request (chunk, box, time), exactly as
/// <see cref="ChunkTokenVerifier"/> would. Bounded: when full, expired
/// entries go, and if that is not enough everything goes.</summary>
public sealed class ChunkTokenCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly int _capacity;
    private int _count;

    public ChunkTokenCache(int capacity = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>A verified token: its grant plus what the response needs.</summary>
    public sealed class Entry(ChunkTokenVerifier verifier, ChunkHash hash, ChunkTokenClaims claims)
    {
        public ChunkTokenVerifier Verifier { get; } = verifier;
        public ChunkHash Hash { get; } = hash;
        public ChunkTokenClaims Claims { get; } = claims;
        /// <summary>The quoted strong ETag of the granted chunk.</summary>
        public string ETag { get; } = $"\"{hash}\"";
        /// <summary>Unix second from which the token is expired (leeway included).</summary>
        public long ExpiresAt { get; } = SaturatingAdd(claims.Exp, (long)ChunkTokenFormat.ClockSkew.TotalSeconds);
    }

    /// <summary>Checks <paramref name="token"/> for chunk <paramref name="hash"/>
    /// on box <paramref name="boxId"/>: from the cache when this exact token
    /// was verified by <paramref name="verifier"/>, else by the verifier
    /// (and cached when the signature checked out). Returns the HTTP status
    /// (200, 401 or 403), why, and on 200 the entry.</summary>
    public int Check(ChunkTokenVerifier verifier, string? token, ChunkHash hash, ReadOnlySpan<char> hashHex, string? boxId,
        DateTimeOffset now, out string reason, out Entry? entry)
    {
        long nowSeconds = now.ToUnixTimeSeconds();
        if (token is not null && _entries.TryGetValue(token, out var cached))
        {
            if (ReferenceEquals(cached.Verifier, verifier) && nowSeconds < cached.ExpiresAt)
                return Grant(cached, hash, boxId, nowSeconds, out reason, out entry);
            Remove(token);
        }
        var result = verifier.Verify(token, hashHex.ToString(), boxId);
        reason = result.Reason;
        entry = null;
        if (result.Claims is { } claims && ChunkHash.TryParse(claims.H, out var granted))
        {
            var fresh = new Entry(verifier, granted, claims);
            if (nowSeconds < fresh.ExpiresAt)
                Add(token!, fresh, nowSeconds);
            if (result.IsValid)
                entry = fresh;
        }
        return result.HttpStatus;
    }

    /// <summary>The claim checks of <see cref="ChunkTokenVerifier"/>, same order and leeway.</summary>
    private static int Grant(Entry cached, ChunkHash hash, string? boxId, long now, out string reason, out Entry? entry)
    {
        entry = null;
        var claims = cached.Claims;
        if (cached.Hash != hash)
        {
            reason = $"the token is for chunk {claims.H}, not this one";
            return 403;
        }
        if (claims.Box is not null && !string.Equals(claims.Box, boxId, StringComparison.Ordinal))
        {
            reason = "the token is for another box";
            return 403;
        }
        if (claims.Nbf is { } nbf && now < SaturatingAdd(nbf, -(long)ChunkTokenFormat.ClockSkew.TotalSeconds))
        {
            reason = $"the token is valid from {nbf} (now {now})";
            return 403;
        }
        reason = "valid";
        entry = cached;
        return 200;
    }

    private void Add(string token, Entry entry, long now)
    {
        if (Volatile.Read(ref _count) >= _capacity)
            Sweep(entry.Verifier, now);
        if (_entries.TryAdd(token, entry))
            Interlocked.Increment(ref _count);
    }

    private void Sweep(ChunkTokenVerifier current, long now)
    {
        foreach (var (token, entry) in _entries)
        {
            if (!ReferenceEquals(entry.Verifier, current) || now >= entry.ExpiresAt)
                Remove(token);
        }
        if (Volatile.Read(ref _count) >= _capacity)
        {
            foreach (var token in _entries.Keys)
                Remove(token);
        }
    }

    private void Remove(string token)
    {
        if (_entries.TryRemove(token, out _))
            Interlocked.Decrement(ref _count);
    }

    private static long SaturatingAdd(long value, long delta) =>
        delta > 0 && value > long.MaxValue - delta ? long.MaxValue
        : delta < 0 && value < long.MinValue - delta ? long.MinValue
        : value + delta;
}
