using Microsoft.Win32.SafeHandles;

namespace Box.Store;

public sealed partial class ChunkStore
{
    /// <summary>Opens a verified chunk for serving: a lookup in memory (the index while that loads), then an
    /// open(2) and an lseek(2) (<see cref="ServingFile"/>; the server sendfiles the handle). NotFound for anything
    /// not indexed (absent, evicted, condemned, or a file reconcile has not
    /// verified yet); Unavailable when the disk is gone or failing.</summary>
    public ChunkRead OpenRead(ChunkHash hash)
    {
        if (_closed)
            return ChunkRead.Unavailable("store is closed");
        long? size = null;
        var presence = _presence;
        if (presence.Loaded)
        {
            // The hot path: memory only, no LiteDB.
            if (!presence.TryGet(hash, out size))
                return _layout.IsReachable() ? ChunkRead.NotFound : ChunkRead.Unavailable($"{_layout.Root}: store directory is gone (disk removed?)");
        }
        if (size is null)
        {
            // The presence set is still loading, or the chunk is too large for it.
            if (!TryGetRowServing(hash, out var row, out var problem))
                return problem is null ? ChunkRead.NotFound : ChunkRead.Unavailable(problem);
            size = row.Size;
        }
        var path = _layout.ChunkPath(hash);
        SafeFileHandle file;
        long length;
        try
        {
            file = ServingFile.Open(path, out length);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // The row outlived its file: the disk went away, or the file was
            // removed behind our back (reconcile drops such rows).
            return _layout.IsReachable() ? ChunkRead.NotFound : ChunkRead.Unavailable($"{_layout.Root}: store directory is gone (disk removed?)");
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            return ChunkRead.Unavailable($"{path}: {e.Message}");
        }
        if (length != size)
        {
            file.Dispose();
            Condemn(hash, $"file is {length} bytes, the index says {size}");
            return ChunkRead.NotFound;
        }
        return new ChunkRead(ChunkReadStatus.Found, file, length, null);
    }

    /// <summary>Whether this store holds <paramref name="hash"/>, from memory
    /// only (true while the in-memory set still loads: a cheap guess for
    /// routing served figures, never for serving).</summary>
    public bool MayHold(ChunkHash hash)
    {
        var presence = _presence;
        return !presence.Loaded || presence.TryGet(hash, out _);
    }

    /// <summary>Records one response's figures in memory (thread-safe, no I/O);
    /// <see cref="FlushServed"/> writes them to the index.</summary>
    public void NoteServed(ChunkHash hash, long bytes, DateTimeOffset at) => _ledger.Note(hash, bytes, at);

    /// <summary>Writes the served figures noted since the last flush in one
    /// transaction (the agent calls this on a timer; Close calls it too).</summary>
    public void FlushServed()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        FlushServedCore();
    }

    /// <summary>Stored chunks after <paramref name="after"/> in hash order, at
    /// most <paramref name="limit"/> (1..10,000) of them.</summary>
    public ChunkPage List(ChunkHash? after, int limit)
    {
        limit = Math.Clamp(limit, 1, 10_000);
        var rows = WithIndex(index => index.ScanAfter(after, limit + 1));
        var hashes = rows.Take(limit).Select(r => r.Hash).ToList();
        return new ChunkPage(hashes, rows.Count > limit ? hashes[^1] : null);
    }

    /// <summary>The row of a stored chunk, if any.</summary>
    public ChunkRow? Find(ChunkHash hash) => WithIndex(index => index.TryGet(hash, out var row) ? row : (ChunkRow?)null);

    private void FlushServedCore()
    {
        var tallies = _ledger.Drain();
        try
        {
            WithIndex(index =>
            {
                index.ApplyServed(tallies);
                return 0;
            });
        }
        catch
        {
            _ledger.Return(tallies);
            throw;
        }
    }

    /// <summary>The serving lookup: never throws; a broken index is swapped for
    /// a rebuild (NotFound meanwhile), a vanished disk is Unavailable.</summary>
    private bool TryGetRowServing(ChunkHash hash, out ChunkRow row, out string? problem)
    {
        problem = null;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            var index = _index;
            try
            {
                return index.TryGet(hash, out row);
            }
            catch (ObjectDisposedException)
            {
                // swapped or closing: try the current one once more
            }
            catch (IndexBrokenException e)
            {
                if (!_layout.IsReachable())
                {
                    problem = $"{_layout.Root}: store directory is gone (disk removed?)";
                    break;
                }
                OnIndexFailure(index, e);
            }
        }
        row = default;
        problem ??= _closed ? "store is closed" : null;
        return false;
    }

    /// <summary>Runs an index operation on the current index; a broken index
    /// starts a rebuild and surfaces as <see cref="StoreException"/>.</summary>
    private T WithIndex<T>(Func<ChunkIndex, T> work)
    {
        var index = _index;
        try
        {
            return work(index);
        }
        catch (IndexBrokenException e)
        {
            if (!_layout.IsReachable())
                throw new StoreUnavailableException(_layout.Root, "store directory is gone (disk removed?)", e);
            OnIndexFailure(index, e);
            throw;
        }
    }
}
