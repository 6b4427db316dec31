using System.Diagnostics;
using LiteDB;

namespace Box.Store;

/// <summary>
/// Brings the index back in line with the files after an unclean stop or a
/// lost index. Phases, each resumable from a cursor persisted in the index:
/// 1. tmp/: every leftover not reserved by a running ingest is removed;
/// 2. chunks/: per shard, anything that is not a 64-hex file in its right
///    shard is removed; a file without a row is hashed (at the configured
///    rate) and adopted if its SHA-256 equals its name, removed otherwise;
/// 3. rows: a row whose file is gone is dropped.
/// Rows already in the index are served throughout; a file is served only
/// once adopted. Nothing outside box-store/ is ever touched.
/// </summary>
internal sealed class Reconciler(IStoreMaintenance store, long bytesPerSecond)
{
    public const string CursorName = "reconcile";
    private const int RowPage = 1000;
    /// <summary>Verified files adopted per transaction (with the cursor).</summary>
    private const int AdoptBatch = 500;

    private readonly ByteRateLimiter _limiter = new(bytesPerSecond, store.Time);
    private readonly List<ChunkRow> _verified = [];
    private long _tempRemoved, _adopted, _rejected, _dropped, _priorMs;
    private StoreLayout Layout => store.Layout;

    /// <summary>Runs to the end (or throws: cancelled, disk gone, index broken).</summary>
    public ReconcileReport Run(CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        var cursor = store.LoadCursor(CursorName);
        string phase = cursor?["phase"].AsString ?? "temp";
        if (cursor is not null)
        {
            _tempRemoved = cursor["temp"].AsInt64;
            _adopted = cursor["adopted"].AsInt64;
            _rejected = cursor["rejected"].AsInt64;
            _dropped = cursor["dropped"].AsInt64;
            _priorMs = cursor["ms"].AsInt64;
            store.Log($"reconcile resumes at {phase} {cursor["at"]}");
        }
        if (phase == "temp")
        {
            CleanTemp();
            Save("files", 0, clock);
            phase = "files";
        }
        if (phase == "files")
        {
            int first = cursor?["phase"].AsString == "files" ? cursor["at"].AsInt32 : 0;
            if (first == 0)
                RemoveStraysInChunks();
            for (int shard = first; shard < 256; shard++)
            {
                stop.ThrowIfCancellationRequested();
                ReconcileShard((byte)shard, stop, clock);
                AdoptVerified("files", shard + 1, clock);
            }
            Save("rows", BsonValue.Null, clock);
            phase = "rows";
        }
        if (phase == "rows")
        {
            ChunkHash? after = cursor?["phase"].AsString == "rows" && cursor["at"].IsBinary
                ? ChunkHash.FromBytes(cursor["at"].AsBinary) : null;
            while (true)
            {
                stop.ThrowIfCancellationRequested();
                var rows = store.ScanRows(after, RowPage);
                foreach (var row in rows)
                {
                    if (File.Exists(Layout.ChunkPath(row.Hash)))
                        continue;
                    RequireReachable();
                    store.DropRow(row.Hash);
                    _dropped++;
                }
                if (rows.Count < RowPage)
                    break;
                after = rows[^1].Hash;
                Save("rows", new BsonValue(after.Value.ToArray()), clock);
            }
        }
        store.SaveCursor(CursorName, null);
        return new ReconcileReport(_tempRemoved, _adopted, _rejected, _dropped, _priorMs + clock.ElapsedMilliseconds);
    }

    private void CleanTemp()
    {
        if (!Directory.Exists(Layout.Temp))
            return;
        foreach (var path in Directory.EnumerateFileSystemEntries(Layout.Temp))
        {
            if (store.IsReservedTemp(path))
                continue;
            ChunkFile.Remove(path);
            _tempRemoved++;
        }
    }

    /// <summary>Top-level entries of chunks/ that are not shard directories.</summary>
    private void RemoveStraysInChunks()
    {
        RequireReachable();
        foreach (var path in Directory.EnumerateFileSystemEntries(Layout.Chunks))
        {
            var name = Path.GetFileName(path);
            if (name.Length == 2 && IsLowerHex(name) && Directory.Exists(path))
                continue;
            store.Log($"reconcile: removing stray {path}");
            ChunkFile.Remove(path);
            _rejected++;
        }
    }

    private void ReconcileShard(byte shard, CancellationToken stop, Stopwatch clock)
    {
        var dir = Layout.ShardDirectory(shard);
        if (!Directory.Exists(dir))
        {
            RequireReachable();
            return;
        }
        foreach (var path in Directory.EnumerateFileSystemEntries(dir))
        {
            stop.ThrowIfCancellationRequested();
            var name = Path.GetFileName(path);
            if (!IsLowerHex(name) || !ChunkHash.TryParse(name, out var hash) || hash.ShardByte != shard || Directory.Exists(path))
            {
                store.Log($"reconcile: removing misnamed {path}");
                ChunkFile.Remove(path);
                _rejected++;
                continue;
            }
            long size = new FileInfo(path).Length;
            if (store.HasRow(hash, size))
                continue;
            Verify(path, hash, stop);
            if (_verified.Count >= AdoptBatch)
                AdoptVerified("files", shard, clock);
        }
    }

    /// <summary>Adopts what was verified, with the cursor in the same
    /// transaction, so counts stay exact across a restart inside a shard.</summary>
    private void AdoptVerified(string phase, int at, Stopwatch clock)
    {
        _adopted += _verified.Count;
        store.Adopt(_verified, CursorName, Cursor(phase, at, clock));
        _verified.Clear();
    }

    private void Verify(string path, ChunkHash hash, CancellationToken stop)
    {
        ChunkHash actual;
        long length;
        try
        {
            actual = ChunkFile.Hash(path, _limiter, stop, out length);
        }
        catch (FileNotFoundException)
        {
            return; // evicted or replaced meanwhile
        }
        if (actual != hash)
        {
            store.Log($"reconcile: {path} does not match its name (SHA-256 {actual}); removed");
            ChunkFile.Remove(path);
            _rejected++;
            return;
        }
        var stored = new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
        _verified.Add(new ChunkRow(hash, length, stored, null, 0, 0, false));
    }

    private void RequireReachable()
    {
        if (!Layout.IsReachable())
            throw new StoreUnavailableException(Layout.Root, "store directory is gone (disk removed?)");
    }

    private void Save(string phase, BsonValue at, Stopwatch clock) => store.SaveCursor(CursorName, Cursor(phase, at, clock));

    private BsonDocument Cursor(string phase, BsonValue at, Stopwatch clock) => new()
    {
        ["phase"] = phase,
        ["at"] = at,
        ["temp"] = _tempRemoved,
        ["adopted"] = _adopted,
        ["rejected"] = _rejected,
        ["dropped"] = _dropped,
        ["ms"] = _priorMs + clock.ElapsedMilliseconds,
    };

    private static bool IsLowerHex(string s) => s.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
