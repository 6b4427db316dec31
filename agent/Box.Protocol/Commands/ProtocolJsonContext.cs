using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Box.Protocol.Commands;

/// <summary>Source-generated (trim/AOT clean) JSON for the protocol documents.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReplyEnvelope))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext
{
    /// <summary>Machine-read payloads, never HTML: ' &lt; &gt; &amp; stay readable
    /// instead of \u0027; duplicate members are refused when reading.</summary>
    public static readonly JsonSerializerOptions WireOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        AllowDuplicateProperties = false,
        MaxDepth = 64,
    };

    /// <summary>The context with <see cref="WireOptions"/>.</summary>
    public static ProtocolJsonContext Wire { get; } = new(new JsonSerializerOptions(WireOptions));

    /// <summary>Writer options matching <see cref="WireOptions"/> for hand-written documents.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
