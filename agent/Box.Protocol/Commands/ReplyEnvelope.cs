using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Box.Protocol.Commands;

/// <summary>The <c>reply</c> document: <c>{"id","ok":true,"status","result"}</c>
/// or <c>{"id","ok":false,"status"?,"error":{"code","message"}}</c>.
/// Members are written in this order; null members other than <c>id</c> are left out.</summary>
public sealed record ReplyEnvelope
{
    /// <summary>Null only when answering a request whose id was unusable.</summary>
    [JsonPropertyName("id"), JsonRequired, JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Id { get; init; }

    [JsonPropertyName("ok"), JsonRequired]
    public bool Ok { get; init; }

    /// <summary><c>accepted</c>, <c>done</c> or <c>failed</c>.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    [JsonPropertyName("result")]
    public JsonNode? Result { get; init; }

    [JsonPropertyName("error")]
    public ReplyError? Error { get; init; }

    public const string Accepted = "accepted";
    public const string Done = "done";
    public const string Failed = "failed";

    /// <summary>True while a long job runs on (a final reply follows).</summary>
    [JsonIgnore]
    public bool IsAccepted => Ok && Status == Accepted;
}

public sealed record ReplyError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message);
