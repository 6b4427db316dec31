using System.Text.Json.Nodes;

namespace Box.Agent.Cloud.Commands;

/// <summary>Where the dispatcher sends what it has to say; implemented by
/// <see cref="Link.MqttCloudLink"/>. Both methods are non-blocking.</summary>
public interface IReplySink
{
    /// <summary>Publishes a reply (QoS 1) to <paramref name="responseTopic"/>
    /// with <paramref name="correlationData"/>, or to <c>box/{id}/reply</c>
    /// when the topic is null. Replies are not queued: one lost while offline
    /// is answered from the stored reply when the cloud sends the command again.</summary>
    void SendReply(string? responseTopic, byte[]? correlationData, byte[] payload);

    /// <summary>An <c>events</c> message (queued while offline).</summary>
    void PublishEvent(string type, JsonObject? fields = null);
}
