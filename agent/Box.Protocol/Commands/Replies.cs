using System.Text.Json;
using System.Text.Json.Nodes;

namespace Box.Protocol.Commands;

/// <summary>Writes and reads <see cref="ReplyEnvelope"/> payloads.</summary>
public static class Replies
{
    /// <summary><c>{"id","ok":true,"status":"done","result":{…}}</c>; a null result is <c>{}</c>.</summary>
    public static byte[] Done(string id, JsonNode? result) =>
        Serialize(new ReplyEnvelope { Id = id, Ok = true, Status = ReplyEnvelope.Done, Result = result ?? new JsonObject() });

    /// <summary><c>{"id","ok":true,"status":"accepted"}</c></summary>
    public static byte[] Accepted(string id) =>
        Serialize(new ReplyEnvelope { Id = id, Ok = true, Status = ReplyEnvelope.Accepted });

    /// <summary><c>{"id","ok":false,"error":{"code","message"}}</c>, with
    /// <c>"status":"failed"</c> when a long job failed. A null id is written
    /// as null (only for requests whose id is unusable but that carry a
    /// response topic and correlation data).</summary>
    public static byte[] Error(string? id, string code, string message, bool jobFailed = false) =>
        Serialize(new ReplyEnvelope { Id = id, Ok = false, Status = jobFailed ? ReplyEnvelope.Failed : null, Error = new ReplyError(code, message) });

    public static byte[] Serialize(ReplyEnvelope reply) =>
        JsonSerializer.SerializeToUtf8Bytes(reply, ProtocolJsonContext.Wire.ReplyEnvelope);

    /// <summary>Null when <paramref name="payload"/> is not a reply (not JSON,
    /// no string id, no boolean ok, a member of the wrong type).</summary>
    public static ReplyEnvelope? TryParse(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
            return null;
        try
        {
            var reply = JsonSerializer.Deserialize(payload, ProtocolJsonContext.Wire.ReplyEnvelope);
            return reply?.Id is null ? null : reply;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
