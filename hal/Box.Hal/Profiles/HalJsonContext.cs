using System.Text.Json.Serialization;
using Box.Hal.Sim;

namespace Box.Hal.Profiles;

/// <summary>Source-generated JSON for profiles and sim descriptors (no reflection, AOT-clean).
/// Strict: unknown properties and duplicate keys (e.g. a role given twice) are errors.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(BoardProfile))]
[JsonSerializable(typeof(SimDiskDescriptor))]
internal sealed partial class HalJsonContext : JsonSerializerContext;
