using Box.Store;

namespace Box.Agent.Serving;

/// <summary>One chunk response as it ended: the token it was served under,
/// the chunk, and the body bytes that actually left (a client that went away
/// mid-body is counted for what it got).</summary>
public readonly record struct ServedRequest(string Jti, ChunkHash Hash, long Bytes, DateTimeOffset At);

/// <summary>Where the chunk server reports what it served: the usage ledger
/// (the owner's reward), the store's per-chunk figures (eviction value).
/// Called on HTTP threads once per response; must be cheap and never throw.</summary>
public interface IServeRecorder
{
    void Record(in ServedRequest served);
}
