using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Box.Ctl.Output;

namespace Box.Ctl.Mqtt;

/// <summary>A parsed <c>reply</c> (docs/contract.md "Commands and replies"): <c>ok:true</c> with
/// <c>status</c> accepted/done and <c>result</c>, or <c>ok:false</c> with an
/// error code and message.</summary>
public sealed record CommandReply(string Id, bool Ok, string Status, JsonNode? Result, string? ErrorCode, string? ErrorMessage, JsonObject Raw)
{
    public bool IsAccepted => Ok && Status == "accepted";
    public bool IsFinal => !IsAccepted;

    /// <summary>Null when the payload is not a reply (not JSON, no id, no ok).</summary>
    public static CommandReply? TryParse(ReadOnlySpan<byte> payload)
    {
        var doc = Json.TryParseObject(payload);
        string? id = Json.String(doc, "id");
        bool? ok = Json.Bool(doc, "ok");
        if (doc is null || id is null || ok is null)
            return null;
        var error = doc["error"] as JsonObject;
        return new CommandReply(id, ok.Value, Json.String(doc, "status") ?? (ok.Value ? "done" : "failed"),
            doc["result"], Json.String(error, "code") ?? (ok.Value ? null : "unknown"), Json.String(error, "message"), doc);
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
