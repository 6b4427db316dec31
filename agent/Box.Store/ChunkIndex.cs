using LiteDB;
using LiteDB.Engine;

namespace Box.Store;

/// <summary>
/// The index: a rebuildable cache of the chunk files in LiteDB 5, through the
/// BsonDocument API only (the mapper breaks under NativeAOT). <c>_id</c> is
/// the 32-byte hash; short field names keep 1,000,000 rows small. Thread-safe:
/// LiteDB serialises its own access; a reader-writer lock only guards the
/// swap when the database is recycled.
///
/// Memory: LiteDB's page cache grows with every page read and never shrinks,
/// so random lookups over 1,000,000 rows would pull the whole file (~240 MB)
/// into memory. Serving therefore does not look here (see ChunkPresence), and
/// the index is closed and reopened once operations have read about
/// <c>recyclePages</c> pages (each operation is weighed by the pages it
/// typically touches: ~10 for a random lookup or write, one per ~30 rows of a
/// scan), which drops the cache; after a checkpoint a reopen costs a few ms.
///
/// Any failure from LiteDB surfaces as <see cref="IndexBrokenException"/>.
/// </summary>
internal sealed class ChunkIndex : IDisposable
{
    private const string ChunksName = "chunks";
    private const string MetaName = "meta";
    private const string CountersKey = "counters";
    private const string IdentityKey = "identity";

    private readonly StoreLayout _layout;
    private const int LookupPages = 10;
    private const int WritePages = 4;
    private const int RowsPerScanPage = 30;

    private readonly int _recycleAfter;
    private readonly ReaderWriterLockSlim _swap = new(LockRecursionPolicy.SupportsRecursion);
    /// <summary>One write transaction at a time (LiteDB's are per thread), and the counters with it.</summary>
    private readonly object _writeLock = new();
    private LiteDatabase _db = null!;
    private DurableFileStream _data = null!;
    private DurableFileStream _log = null!;
    private IndexCounters _counters;
    private int _operations;
    private bool _dirty;
    private bool _disposed;

    private ChunkIndex(StoreLayout layout, int recycleAfter)
    {
        _layout = layout;
        _recycleAfter = Math.Max(100, recycleAfter);
    }

    /// <summary>Opens (or creates) the index of store <paramref name="storeId"/>.
    /// An index that belongs to another store, or cannot be read, throws
    /// <see cref="IndexBrokenException"/>.</summary>
    public static ChunkIndex Open(StoreLayout layout, Guid storeId, int recycleAfter)
    {
        var index = new ChunkIndex(layout, recycleAfter);
        try
        {
            index.Connect();
            var meta = index._db.GetCollection(MetaName);
            var identity = meta.FindById(IdentityKey);
            if (identity is null)
            {
                if (index._db.GetCollection(ChunksName).Count() > 0)
                    throw new InvalidDataException("index has rows but no identity");
                meta.Upsert(new BsonDocument { ["_id"] = IdentityKey, ["store"] = storeId });
            }
            else if (identity["store"].AsGuid != storeId)
            {
                throw new InvalidDataException($"index belongs to store {identity["store"]}, not {storeId}");
            }
            var c = meta.FindById(CountersKey);
            index._counters = c is null ? default : new IndexCounters(c["c"].AsInt64, c["u"].AsInt64, c["p"].AsInt64);
            return index;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            index.DisposeQuietly();
            throw new IndexBrokenException(layout.IndexFile, e);
        }
    }

    /// <summary>Moves an unusable index out of the way (kept once as index.db.broken for a post-mortem).</summary>
    public static void MoveAside(StoreLayout layout)
    {
        try
        {
            File.Move(layout.IndexFile, layout.IndexFile + ".broken", overwrite: true);
        }
        catch (FileNotFoundException)
        {
        }
        try
        {
            File.Delete(layout.IndexLogFile);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public IndexCounters Counters
    {
        get { lock (_writeLock) return _counters; }
    }

    public bool TryGet(ChunkHash hash, out ChunkRow row)
    {
        var doc = Run(db => db.GetCollection(ChunksName).FindById(Key(hash)), LookupPages);
        row = doc is null ? default : ToRow(doc);
        return doc is not null;
    }

    /// <summary>Adds a row (or replaces one of the same hash) and updates the counters in one transaction.</summary>
    public void Insert(ChunkRow row)
    {
        Write(LookupPages, db =>
        {
            var chunks = db.GetCollection(ChunksName);
            var old = chunks.FindById(Key(row.Hash));
            var counters = old is null ? _counters : _counters.Remove(ToRow(old));
            chunks.Upsert(ToDocument(row));
            return counters.Add(row);
        });
    }

    /// <summary>Adds rows not indexed yet and sets one meta document (a cursor),
    /// all in one transaction: reconcile adopts in batches this way, so a
    /// million files cost thousands of commits, not millions.</summary>
    public void InsertBatch(IReadOnlyList<ChunkRow> rows, string metaKey, BsonDocument? meta)
    {
        Write(rows.Count * WritePages, db =>
        {
            var chunks = db.GetCollection(ChunksName);
            var counters = _counters;
            foreach (var row in rows)
            {
                if (chunks.FindById(Key(row.Hash)) is not null)
                    continue;
                chunks.Insert(ToDocument(row));
                counters = counters.Add(row);
            }
            var metaCollection = db.GetCollection(MetaName);
            if (meta is null)
            {
                metaCollection.Delete(metaKey);
            }
            else
            {
                meta["_id"] = metaKey;
                metaCollection.Upsert(meta);
            }
            return counters;
        });
    }

    /// <summary>Removes the row if present; returns it.</summary>
    public ChunkRow? Delete(ChunkHash hash)
    {
        ChunkRow? removed = null;
        Write(LookupPages, db =>
        {
            var chunks = db.GetCollection(ChunksName);
            var old = chunks.FindById(Key(hash));
            if (old is null)
                return _counters;
            chunks.Delete(Key(hash));
            removed = ToRow(old);
            return _counters.Remove(removed.Value);
        });
        return removed;
    }

    /// <summary>Adds served figures to their rows in one transaction; rows gone meanwhile are skipped.</summary>
    public void ApplyServed(IReadOnlyCollection<KeyValuePair<ChunkHash, ServedTally>> tallies)
    {
        if (tallies.Count == 0)
            return;
        Write(tallies.Count * LookupPages, db =>
        {
            var chunks = db.GetCollection(ChunksName);
            foreach (var (hash, tally) in tallies)
            {
                if (chunks.FindById(Key(hash)) is not { } doc)
                    continue;
                var row = ToRow(doc);
                var last = row.LastServed is { } l && l > tally.LastServed ? l : tally.LastServed;
                chunks.Update(ToDocument(row with
                {
                    ServeCount = row.ServeCount + tally.Count,
                    BytesServed = row.BytesServed + tally.Bytes,
                    LastServed = last,
                }));
            }
            return _counters;
        });
    }

    /// <summary>Up to <paramref name="limit"/> rows after <paramref name="after"/>, in hash order.</summary>
    public List<ChunkRow> ScanAfter(ChunkHash? after, int limit)
    {
        return Run(db =>
        {
            var chunks = db.GetCollection(ChunksName);
            var query = Query.GT("_id", after is { } a ? Key(a) : BsonValue.MinValue);
            return chunks.Find(query, 0, limit).Select(ToRow).ToList();
        }, 1 + limit / RowsPerScanPage);
    }

    public BsonDocument? GetMeta(string key) => Run(db => db.GetCollection(MetaName).FindById(key), 1);

    public void SetMeta(string key, BsonDocument? value)
    {
        Write(1, db =>
        {
            var meta = db.GetCollection(MetaName);
            if (value is null)
            {
                meta.Delete(key);
            }
            else
            {
                value["_id"] = key;
                meta.Upsert(value);
            }
            return _counters;
        });
    }

    /// <summary>Moves the log into the data file (fsynced through <see cref="DurableFileStream"/>).</summary>
    public void Checkpoint()
    {
        _swap.EnterWriteLock();
        try
        {
            Guard(() =>
            {
                _db.Checkpoint();
                return 0;
            });
            _dirty = false;
        }
        finally
        {
            _swap.ExitWriteLock();
        }
    }

    public void Dispose()
    {
        _swap.EnterWriteLock();
        try
        {
            if (_disposed)
                return;
            _disposed = true;
            try
            {
                if (_dirty)
                    _db.Checkpoint();
            }
            finally
            {
                DisposeQuietly();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new IndexBrokenException(_layout.IndexFile, e);
        }
        finally
        {
            _swap.ExitWriteLock();
        }
    }

    private void Connect()
    {
        _data = DurableFileStream.Open(_layout.IndexFile);
        _log = DurableFileStream.Open(_layout.IndexLogFile);
        var settings = new EngineSettings { DataStream = _data, LogStream = _log, TempStream = new MemoryStream() };
        _db = new LiteDatabase(new LiteEngine(settings), disposeOnClose: true);
        _db.GetCollection(ChunksName); // touch: a garbage file fails here, not on the first lookup
    }

    private void DisposeQuietly()
    {
        try { _db?.Dispose(); }
        catch (Exception e) when (e is not OutOfMemoryException) { }
        try { _data?.Dispose(); }
        catch (Exception e) when (IoErrors.IsIo(e)) { }
        try { _log?.Dispose(); }
        catch (Exception e) when (IoErrors.IsIo(e)) { }
    }

    private T Run<T>(Func<LiteDatabase, T> work, int pages)
    {
        T result;
        _swap.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            result = Guard(() => work(_db));
        }
        finally
        {
            _swap.ExitReadLock();
        }
        if (Interlocked.Add(ref _operations, pages) >= _recycleAfter)
            Recycle();
        return result;
    }

    /// <summary>Runs a write in one transaction; <paramref name="work"/> returns
    /// the counters as they are after it, stored in the same transaction.</summary>
    private void Write(int pages, Func<LiteDatabase, IndexCounters> work)
    {
        Run(db =>
        {
            lock (_writeLock)
            {
                db.BeginTrans();
                try
                {
                    var counters = work(db);
                    if (counters != _counters)
                    {
                        db.GetCollection(MetaName).Upsert(new BsonDocument
                        {
                            ["_id"] = CountersKey,
                            ["c"] = counters.Chunks,
                            ["u"] = counters.UsedBytes,
                            ["p"] = counters.PinnedBytes,
                        });
                    }
                    db.Commit();
                    _counters = counters;
                    _dirty = true;
                }
                catch
                {
                    TryRollback(db);
                    throw;
                }
            }
            return 0;
        }, pages);
    }

    private static void TryRollback(LiteDatabase db)
    {
        try { db.Rollback(); }
        catch (Exception e) when (e is not OutOfMemoryException) { }
    }

    /// <summary>Drops LiteDB's page cache by reopening (see the class comment).</summary>
    private void Recycle()
    {
        if (!_swap.TryEnterWriteLock(0))
            return; // someone else is using or recycling it; the next operation tries again
        try
        {
            if (_disposed || Volatile.Read(ref _operations) < _recycleAfter)
                return;
            Guard(() =>
            {
                if (_dirty)
                    _db.Checkpoint();
                _dirty = false;
                DisposeQuietly();
                Connect();
                return 0;
            });
            Volatile.Write(ref _operations, 0);
        }
        finally
        {
            _swap.ExitWriteLock();
        }
    }

    private T Guard<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (Exception e) when (e is not (OutOfMemoryException or ObjectDisposedException or IndexBrokenException))
        {
            throw new IndexBrokenException(_layout.IndexFile, e);
        }
    }

    private static BsonValue Key(ChunkHash hash) => new(hash.ToArray());

    private static BsonDocument ToDocument(ChunkRow row)
    {
        var doc = new BsonDocument
        {
            ["_id"] = Key(row.Hash),
            ["s"] = row.Size,
            ["t"] = row.StoredAt.ToUnixTimeMilliseconds(),
            ["n"] = row.ServeCount,
            ["b"] = row.BytesServed,
            ["p"] = row.Pinned,
        };
        if (row.LastServed is { } last)
            doc["l"] = last.ToUnixTimeMilliseconds();
        return doc;
    }

    private static ChunkRow ToRow(BsonDocument doc) => new(
        ChunkHash.FromBytes(doc["_id"].AsBinary),
        doc["s"].AsInt64,
        DateTimeOffset.FromUnixTimeMilliseconds(doc["t"].AsInt64),
        doc.TryGetValue("l", out var l) && l.IsNumber ? DateTimeOffset.FromUnixTimeMilliseconds(l.AsInt64) : null,
        doc["n"].AsInt64,
        doc["b"].AsInt64,
        doc["p"].AsBoolean);
}
