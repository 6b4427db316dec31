using LiteDB;

namespace Box.Store;

/// <summary>
/// Re-reads stored chunks at a low byte rate and checks each still hashes to
/// its name (bit rot, a bad USB bridge, someone editing files). A chunk that
/// does not is removed, row first so it is never served again, and reported
/// (<c>chunk.corrupt</c> upstream). Walks in hash order from a cursor kept in
/// the index, so a restart resumes where it stopped; one pass, then a pause.
/// </summary>
internal sealed class Scrubber(IStoreMaintenance store, long bytesPerSecond)
{
    public const string CursorName = "scrub";
    private const int RowPage = 256;

    private readonly ByteRateLimiter _limiter = new(bytesPerSecond, store.Time);

    /// <summary>Chunks checked since the store opened (for tests and figures).</summary>
    public long Checked { get; private set; }

    /// <summary>One full pass from the saved cursor to the end; returns the chunks found corrupt.</summary>
    public int RunPass(CancellationToken stop)
    {
        var cursor = store.LoadCursor(CursorName);
        ChunkHash? after = cursor is not null && cursor["at"].IsBinary ? ChunkHash.FromBytes(cursor["at"].AsBinary) : null;
        int corrupt = 0;
        while (true)
        {
            stop.ThrowIfCancellationRequested();
            var rows = store.ScanRows(after, RowPage);
            foreach (var row in rows)
            {
                if (!Check(row, stop))
                    corrupt++;
                Checked++;
            }
            if (rows.Count < RowPage)
                break;
            after = rows[^1].Hash;
            store.SaveCursor(CursorName, new BsonDocument { ["at"] = new BsonValue(after.Value.ToArray()) });
        }
        store.SaveCursor(CursorName, null);
        return corrupt;
    }

    private bool Check(ChunkRow row, CancellationToken stop)
    {
        var path = store.Layout.ChunkPath(row.Hash);
        ChunkHash actual;
        long length;
        try
        {
            actual = ChunkFile.Hash(path, _limiter, stop, out length);
        }
        catch (FileNotFoundException)
        {
            if (!store.Layout.IsReachable())
                throw new StoreUnavailableException(store.Layout.Root, "store directory is gone (disk removed?)");
            if (store.TryGetRow(row.Hash, out _))
            {
                store.Condemn(row.Hash, "chunk file is missing");
                return false;
            }
            return true; // evicted meanwhile
        }
        if (actual == row.Hash && length == row.Size)
            return true;
        if (!store.TryGetRow(row.Hash, out _))
            return true; // evicted (and maybe re-stored) meanwhile
        store.Condemn(row.Hash, actual == row.Hash
            ? $"size {length} differs from the indexed {row.Size}"
            : $"content hashes to {actual}");
        return false;
    }
}
