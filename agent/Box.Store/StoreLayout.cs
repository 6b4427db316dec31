using System.Globalization;

namespace Box.Store;

/// <summary>Where everything lives under the mount point M: only ever inside
/// M/box-store/. One shard level of 256 directories keeps each directory
/// under ~4,000 entries at 1,000,000 chunks, which ext4 (htree) and vfat
/// (linear directory scan) both handle without a slow lookup.</summary>
public sealed class StoreLayout
{
    public const string DirectoryName = "box-store";

    public StoreLayout(string mountPath)
    {
        MountPath = Path.GetFullPath(mountPath);
        Root = Path.Combine(MountPath, DirectoryName);
        Chunks = Path.Combine(Root, "chunks");
        Temp = Path.Combine(Root, "tmp");
        IdentityFile = Path.Combine(Root, "store-id");
        IndexFile = Path.Combine(Root, "index.db");
        IndexLogFile = Path.Combine(Root, "index-log.db");
        CleanMarker = Path.Combine(Root, "clean-shutdown");
    }

    public string MountPath { get; }
    public string Root { get; }
    public string Chunks { get; }
    public string Temp { get; }
    public string IdentityFile { get; }
    public string IndexFile { get; }
    public string IndexLogFile { get; }
    public string CleanMarker { get; }

    public static string ShardName(byte shard) => shard.ToString("x2", CultureInfo.InvariantCulture);

    public string ShardDirectory(byte shard) => Path.Combine(Chunks, ShardName(shard));

    public string ChunkPath(ChunkHash hash) => Path.Combine(ShardDirectory(hash.ShardByte), hash.ToString());

    /// <summary>A fresh temp name per reservation, so two downloads of one chunk never share a file.</summary>
    public string NewTempPath(ChunkHash hash) => Path.Combine(Temp, $"{hash}.{Guid.NewGuid():N}.part");

    /// <summary>True while the store directory is reachable (the disk is mounted and answering).</summary>
    public bool IsReachable()
    {
        try
        {
            return Directory.Exists(Root) && Directory.Exists(Chunks);
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            return false;
        }
    }
}
