using Box.Store;

namespace Box.UsageCrash;

/// <summary>What the child records: every served request has its own token id
/// <c>{run}-{thread}-{index}</c> and a size derived from it, so the verdict can
/// tell each recorded request apart in the reports and check its bytes.</summary>
public static class CrashRecords
{
    public static string Jti(int run, int thread, long index) => $"{run}-{thread}-{index}";

    public static bool TryParse(string jti, out (int Run, int Thread, long Index) id)
    {
        id = default;
        var parts = jti.Split('-');
        return parts.Length == 3 && int.TryParse(parts[0], out id.Run) && int.TryParse(parts[1], out id.Thread) && long.TryParse(parts[2], out id.Index);
    }

    /// <summary>1 byte to 4 MiB, fixed per token id (FNV-1a).</summary>
    public static long BytesFor(string jti)
    {
        var hash = 2166136261u;
        foreach (var c in jti)
            hash = (hash ^ c) * 16777619u;
        return 1 + hash % (4 * 1024 * 1024);
    }

    public static ChunkHash Chunk(long index) => ChunkHash.Of([(byte)(index % 7)]);
}
