using Box.Agent.Hosting;
using Box.Protocol.Tokens;
using Box.Store;

namespace Box.Agent.Serving;

/// <summary>What the chunk endpoint needs. <see cref="Verifier"/> is asked
/// on every request, so the integrator can swap in a verifier over new keys
/// (config reload, kid rotation) by returning a new instance; cached tokens
/// of the old one stop counting at once. Limits change through
/// <see cref="ServeRateLimiter.Update"/>.</summary>
public sealed record ChunkServerOptions
{
    public required IChunkReader Reader { get; init; }

    /// <summary>The verifier over the scheduler keys in force now.</summary>
    public required Func<ChunkTokenVerifier> Verifier { get; init; }

    /// <summary>This box's id, for the optional <c>box</c> claim.</summary>
    public required string BoxId { get; init; }

    /// <summary>Where each served chunk response is reported; null = nowhere.</summary>
    public IServeRecorder? Recorder { get; init; }

    /// <summary>Served-traffic counters (status page, telemetry, LED); null = none.</summary>
    public ChunkTraffic? Traffic { get; init; }

    /// <summary>Upload limits; null = unlimited.</summary>
    public ServeRateLimiter? Limiter { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Verified tokens remembered at most.</summary>
    public int TokenCacheCapacity { get; init; } = 4096;

    /// <summary>Seconds in Retry-After when the store is unavailable.</summary>
    public int UnavailableRetryAfterSeconds { get; init; } = 30;

    /// <summary>One line per failed read; null = quiet.</summary>
    public Action<string>? Log { get; init; }
}
