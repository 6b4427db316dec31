using System.Text.Json;
using System.Text.Json.Serialization;

namespace Box.Agent.Status;

/// <summary>/status.json: the snapshot as camelCase JSON, times as Unix
/// seconds and durations as whole seconds (docs/contract.md conventions). The
/// pairing code and its expiry appear only while the window is open.</summary>
public static class StatusJson
{
    public static byte[] Serialize(StatusSnapshot snapshot, DateTimeOffset now)
    {
        if (!snapshot.PairingWindowOpen(now))
            snapshot = snapshot with { PairingCode = null, PairingExpires = null };
        return JsonSerializer.SerializeToUtf8Bytes(snapshot, StatusJsonContext.Default.StatusSnapshot);
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(UnixSecondsConverter), typeof(WholeSecondsConverter)])]
[JsonSerializable(typeof(StatusSnapshot))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;

/// <summary>DateTimeOffset ↔ Unix seconds.</summary>
internal sealed class UnixSecondsConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64());

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value.ToUnixTimeSeconds());
}

/// <summary>TimeSpan ↔ whole seconds.</summary>
internal sealed class WholeSecondsConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TimeSpan.FromSeconds(reader.GetInt64());

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteNumberValue((long)value.TotalSeconds);
}
