using System.Text;
using Box.Store;

namespace Box.Store.Tests;

/// <summary>Chunks and stores for the tests: content is derived from a number,
/// so each test names its chunks by index.</summary>
internal static class StoreKit
{
    public const string BoxId = "box-test-1";

    public static byte[] Content(int n, int size = 100)
    {
        var seed = Encoding.ASCII.GetBytes($"chunk-{n}-");
        var bytes = new byte[size];
        for (int i = 0; i < size; i++)
            bytes[i] = seed[i % seed.Length];
        return bytes;
    }

    public static ChunkHash HashOf(int n, int size = 100) => ChunkHash.Of(Content(n, size));

    /// <summary>Stores chunk <paramref name="n"/> the way the downloader does: reserve, write the temp file, commit.</summary>
    public static ChunkHash Put(this ChunkStore store, int n, int size = 100, bool pinned = false)
    {
        var content = Content(n, size);
        var hash = ChunkHash.Of(content);
        var slot = store.ReserveIngest(hash, content.Length, pinned);
        if (!slot.AlreadyStored)
            File.WriteAllBytes(slot.TempPath, content);
        store.Commit(slot);
        return hash;
    }

    /// <summary>Reads a chunk back through OpenRead; null unless Found.</summary>
    public static byte[]? Read(this ChunkStore store, ChunkHash hash)
    {
        var read = store.OpenRead(hash);
        if (read.Status != ChunkReadStatus.Found)
            return null;
        using var file = read.File!;
        var bytes = new byte[read.Length];
        for (int done = 0, n; done < bytes.Length; done += n)
        {
            n = RandomAccess.Read(file, bytes.AsSpan(done), done);
            if (n == 0)
                throw new EndOfStreamException();
        }
        return bytes;
    }

    /// <summary>OpenRead's status, with the file (if any) closed again.</summary>
    public static ChunkReadStatus Status(this ChunkStore store, ChunkHash hash)
    {
        var read = store.OpenRead(hash);
        read.File?.Dispose();
        return read.Status;
    }

    public static StoreOptions Options(long quota = 1 << 20, TimeProvider? time = null, List<string>? log = null) => new()
    {
        QuotaBytes = quota,
        Time = time ?? TimeProvider.System,
        Log = log is null ? null : line => { lock (log) log.Add(line); },
    };

    /// <summary>Writes a file straight into chunks/ (as a power cut after the rename would leave it).</summary>
    public static string PlantChunkFile(StoreLayout layout, ChunkHash name, byte[] content)
    {
        var path = layout.ChunkPath(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    public static void WaitReconciled(ChunkStore store) =>
        Eventually.True(() => store.Figures.Reconcile == ReconcileState.Done, () => $"reconcile done (is {store.Figures.Reconcile})");
}
