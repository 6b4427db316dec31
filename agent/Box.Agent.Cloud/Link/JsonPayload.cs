using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Box.Protocol.Commands;

namespace Box.Agent.Cloud.Link;

/// <summary>The link's JSON documents, written with Utf8JsonWriter (no reflection).</summary>
internal static class JsonPayload
{
    public static byte[] Serialize(JsonObject document) => Write(w => WriteFields(w, document));

    /// <summary>Copies the fields of <paramref name="fields"/> except the
    /// <paramref name="reserved"/> names the caller writes itself.</summary>
    public static void WriteFields(Utf8JsonWriter writer, JsonObject? fields, params ReadOnlySpan<string> reserved)
    {
        if (fields is null)
            return;
        foreach (var (name, value) in fields)
        {
            if (reserved.Contains(name))
                continue;
            writer.WritePropertyName(name);
            if (value is null)
                writer.WriteNullValue();
            else
                value.WriteTo(writer);
        }
    }

    /// <summary>One JSON object whose members <paramref name="body"/> writes.</summary>
    public static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, ProtocolJsonContext.WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
