using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Box.Agent.Cloud.Commands;

/// <summary>The reply documents of docs/contract.md ("Commands and replies"), written with Utf8JsonWriter
/// (no reflection serialization).</summary>
public static class Replies
{
    // Machine-read payloads, never HTML: keep ' < > & readable instead of \u0027.
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><c>{"id","ok":true,"status":"done","result":{…}}</c>; a null result is <c>{}</c>.</summary>
    public static byte[] Done(string id, JsonObject? result) => Write(w =>
    {
        w.WriteString("id", id);
        w.WriteBoolean("ok", true);
        w.WriteString("status", "done");
        w.WritePropertyName("result");
        if (result is null)
        {
            w.WriteStartObject();
            w.WriteEndObject();
        }
        else
        {
            result.WriteTo(w);
        }
    });

    /// <summary><c>{"id","ok":true,"status":"accepted"}</c></summary>
    public static byte[] Accepted(string id) => Write(w =>
    {
        w.WriteString("id", id);
        w.WriteBoolean("ok", true);
        w.WriteString("status", "accepted");
    });

    /// <summary><c>{"id","ok":false,"error":{"code","message"}}</c>, with
    /// <c>"status":"failed"</c> when a long job failed. A null id is written
    /// as null (only for requests whose id is unusable but that carry a
    /// response topic and correlation data).</summary>
    public static byte[] Error(string? id, string code, string message, bool jobFailed = false) => Write(w =>
    {
        if (id is null)
            w.WriteNull("id");
        else
            w.WriteString("id", id);
        w.WriteBoolean("ok", false);
        if (jobFailed)
            w.WriteString("status", "failed");
        w.WriteStartObject("error");
        w.WriteString("code", code);
        w.WriteString("message", message);
        w.WriteEndObject();
    });

    static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
