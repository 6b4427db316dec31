namespace Box.Agent.Cloud.Queue;

/// <summary>What a queued message is; decides which is dropped first when
/// the queue is full (telemetry, then events; usage never) and which is
/// fsynced on append (events and usage).</summary>
public enum QueueKind : byte
{
    Telemetry = 1,
    Event = 2,
    /// <summary>A usage report (the owner's reward): fsynced on append and
    /// never dropped, not even to stay within the bounds.</summary>
    Usage = 3,
}

/// <summary>The oldest message still waiting for the broker's PUBACK.</summary>
public sealed record QueuedMessage(long Id, QueueKind Kind, byte[] Payload);

/// <summary>Bounds of the offline queue. When either is reached the oldest
/// telemetry goes first; events go only when no telemetry is left; usage
/// reports never go, so only they can take the queue past its bounds
/// (see <see cref="OfflineQueue"/> for why that stays small).</summary>
public sealed record OfflineQueueLimits(int MaxMessages = 10_000, long MaxBytes = 16 * 1024 * 1024)
{
    public void Validate()
    {
        if (MaxMessages < 1)
            throw new ArgumentException($"queue max messages must be at least 1, got {MaxMessages}");
        if (MaxBytes < 1024)
            throw new ArgumentException($"queue max bytes must be at least 1024, got {MaxBytes}");
    }
}
