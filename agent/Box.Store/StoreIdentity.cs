using System.Text.Json;
using System.Text.Json.Serialization;
using Box.Platform;

namespace Box.Store;

/// <summary>The store-id file: which store this disk holds (kept for the
/// disk's life), which box last used it, and the on-disk format.</summary>
public sealed record StoreIdentity(Guid StoreId, string BoxId, int FormatVersion)
{
    /// <summary>The layout this code writes; a disk with a newer one is refused.</summary>
    public const int CurrentFormat = 1;

    public static StoreIdentity? Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            throw IoErrors.Wrap(path, "cannot read store-id", e);
        }
        try
        {
            return JsonSerializer.Deserialize(bytes, StoreJsonContext.Default.StoreIdentity)
                ?? throw new StoreException(path, "store-id is empty");
        }
        catch (JsonException e)
        {
            throw new StoreException(path, "store-id is not valid JSON", e);
        }
    }

    public void Write(string path)
    {
        try
        {
            AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(this, StoreJsonContext.Default.StoreIdentity));
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            throw IoErrors.Wrap(path, "cannot write store-id", e);
        }
    }
}

/// <summary>The clean-shutdown marker: written last by Close, removed at open
/// before anything changes. Its figures must match the index's own, or the
/// index is not trusted (a crash between checkpoint and marker, an old copy).</summary>
public sealed record CleanShutdownMarker(Guid StoreId, long Chunks, long UsedBytes, DateTimeOffset ClosedAt);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StoreIdentity))]
[JsonSerializable(typeof(CleanShutdownMarker))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
