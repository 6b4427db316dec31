using System.Text.Json.Nodes;

namespace Box.Agent.Cloud.Link;

/// <summary>Something the cloud link hands to the supervisor. Posted through
/// a non-blocking callback (the supervisor's channel), never awaited by the
/// MQTT receive path.</summary>
public abstract record CloudInput
{
    /// <summary>Session established (after every reconnect).</summary>
    public sealed record LinkUp : CloudInput;
    /// <summary>Session lost; Reason names why.</summary>
    public sealed record LinkDown(string Reason) : CloudInput;
    /// <summary>A message on <c>box/{id}/cmd</c>, still unparsed; the
    /// dispatcher validates it and answers malformed ones itself.</summary>
    public sealed record CommandArrived(ReadOnlyMemory<byte> Payload, string? ResponseTopic, byte[]? CorrelationData) : CloudInput;
    /// <summary>The retained desired configuration on <c>box/{id}/config</c>
    /// (empty payload = cleared).</summary>
    public sealed record DesiredConfigArrived(ReadOnlyMemory<byte> Payload) : CloudInput;
}

/// <summary>The box's side of the MQTT contract (docs/contract.md "MQTT"). All methods
/// are non-blocking and safe to call from the supervisor loop; publishing
/// while offline queues telemetry, events and usage on /data.</summary>
public interface ICloudLink : IAsyncDisposable
{
    bool IsConnected { get; }

    /// <summary>Starts connecting (and reconnecting, with jittered backoff)
    /// in the background; returns at once.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Retained <c>state</c>; debounced, republished after reconnect.</summary>
    void ReportState(JsonObject state);

    /// <summary>Retained <c>pairing</c>; null clears it (empty retained message).</summary>
    void ReportPairing(JsonObject? pairing);

    /// <summary>An <c>events</c> message; the link adds <c>seq</c> (increasing
    /// across restarts), <c>type</c> and <c>ts</c>.</summary>
    void PublishEvent(string type, JsonObject? fields = null);

    /// <summary>A <c>telemetry</c> message; queued while offline.</summary>
    void PublishTelemetry(JsonObject metrics);

    /// <summary>A <c>usage</c> report, as the usage ledger built it (with its
    /// own <c>seq</c>; the link adds nothing). Fsynced into the offline queue
    /// before this returns and never dropped by the queue's bounds, so once
    /// this returns the report reaches the broker at least once, in order.
    /// Throws when it could not be queued (the ledger keeps it pending).</summary>
    void PublishUsage(JsonObject report);

    /// <summary>Empties the offline queue (factory reset).</summary>
    void ClearQueue();
}
