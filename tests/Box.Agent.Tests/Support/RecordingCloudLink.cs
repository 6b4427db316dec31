using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Box.Agent.Cloud.Commands;
using Box.Agent.Cloud.Link;

namespace Box.Agent.Tests.Support;

/// <summary>The cloud seam without MQTT: records what the agent reports, publishes
/// and replies, in order. Thread-safe (the supervisor loop writes, the test reads).</summary>
public sealed class RecordingCloudLink : ICloudLink, IReplySink
{
    public sealed record Event(string Type, JsonObject Fields);

    public ConcurrentQueue<Event> Events { get; } = new();
    public ConcurrentQueue<JsonObject> States { get; } = new();
    /// <summary>Every ReportPairing call; null = cleared.</summary>
    public ConcurrentQueue<JsonObject?> Pairings { get; } = new();
    public ConcurrentQueue<JsonObject> Telemetry { get; } = new();
    public ConcurrentQueue<JsonObject> Usage { get; } = new();
    public ConcurrentQueue<JsonObject> Replies { get; } = new();
    /// <summary>"clear-queue" and "event:&lt;type&gt;" in call order, to check ordering.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    public volatile bool Connected;
    public bool IsConnected => Connected;
    public bool Started { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Started = true;
        return Task.CompletedTask;
    }

    public void ReportState(JsonObject state) => States.Enqueue((JsonObject)state.DeepClone());

    public void ReportPairing(JsonObject? pairing) => Pairings.Enqueue((JsonObject?)pairing?.DeepClone());

    public void PublishEvent(string type, JsonObject? fields = null)
    {
        Calls.Enqueue($"event:{type}");
        Events.Enqueue(new Event(type, (JsonObject?)fields?.DeepClone() ?? []));
    }

    public void PublishTelemetry(JsonObject metrics) => Telemetry.Enqueue((JsonObject)metrics.DeepClone());

    public void PublishUsage(JsonObject report) => Usage.Enqueue((JsonObject)report.DeepClone());

    public void ClearQueue() => Calls.Enqueue("clear-queue");

    public void SendReply(string? responseTopic, byte[]? correlationData, byte[] payload) =>
        Replies.Enqueue((JsonObject)JsonNode.Parse(payload)!);

    public IEnumerable<Event> EventsOf(string type) => Events.Where(e => e.Type == type);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
