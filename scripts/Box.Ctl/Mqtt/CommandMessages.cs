using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Box.Ctl.Output;
using Box.Protocol.Commands;

namespace Box.Ctl.Mqtt;

/// <summary>A parsed <c>reply</c> (docs/contract.md, the envelope of
/// <see cref="ReplyEnvelope"/>): <c>ok:true</c> with <c>status</c>
/// accepted/done and <c>result</c>, or <c>ok:false</c> with an error code and
/// message. <see cref="Raw"/> keeps the whole document for <c>--json</c>.</summary>
public sealed record CommandReply(string Id, bool Ok, string Status, JsonNode? Result, string? ErrorCode, string? ErrorMessage, JsonObject Raw)
{
    public bool IsAccepted => Ok && Status == ReplyEnvelope.Accepted;
    public bool IsFinal => !IsAccepted;

    /// <summary>Null when the payload is not a reply (not JSON, no id, no ok).</summary>
    public static CommandReply? TryParse(ReadOnlySpan<byte> payload)
    {
        if (Replies.TryParse(payload) is not { Id: { } id } reply || Json.TryParseObject(payload) is not { } raw)
            return null;
        return new CommandReply(id, reply.Ok, reply.Status ?? (reply.Ok ? ReplyEnvelope.Done : ReplyEnvelope.Failed),
            reply.Result, reply.Error?.Code ?? (reply.Ok ? null : "unknown"), reply.Error?.Message, raw);
    }
}

/// <summary>Builds <c>cmd</c> payloads and reads <c>job.progress</c> events.</summary>
public static class CommandMessages
{
    public static string NewCommandId() => "boxctl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary><c>{"id","name","args","expires"}</c>; expires is Unix seconds or absent.</summary>
    public static byte[] Build(string id, string name, JsonObject? args, long? expiresUnix)
    {
        var cmd = new JsonObject { ["id"] = id, ["name"] = name };
        if (args is not null)
            cmd["args"] = args.DeepClone();
        if (expiresUnix is { } e)
            cmd["expires"] = e;
        return Encoding.UTF8.GetBytes(cmd.ToJsonString());
    }

    /// <summary>True (with percent and message) when <paramref name="ev"/> is
    /// a <c>job.progress</c> event of command <paramref name="commandId"/>:
    /// <c>{"type":"job.progress","id":"&lt;cmd id&gt;","name":…,"percent":n,"message":…}</c>
    /// as the agent's dispatcher publishes it.</summary>
    public static bool IsProgressOf(JsonObject? ev, string commandId, out double? percent, out string? message)
    {
        percent = null;
        message = null;
        if (Json.String(ev, "type") != "job.progress")
            return false;
        if (Json.String(ev, "id") != commandId)
            return false;
        percent = Json.Double(ev, "percent");
        message = Json.String(ev, "message");
        return true;
    }
}
