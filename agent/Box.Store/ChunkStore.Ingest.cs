using Box.Platform;

namespace Box.Store;

public sealed partial class ChunkStore
{
    private long _reservedBytes;

    /// <summary>Reserves room for one incoming chunk and names its temp file.
    /// Throws <see cref="StoreFullException"/> when the pinned chunks plus this
    /// one would not fit in the quota (evicting cannot help), and
    /// <see cref="StoreUnavailableException"/> when the disk is gone or read-only.
    /// A chunk already stored gets a slot with <see cref="IngestSlot.AlreadyStored"/>
    /// (and is pinned now if <paramref name="pinned"/>).</summary>
    public IngestSlot ReserveIngest(ChunkHash hash, long size, bool pinned)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        RequireOpen();
        lock (_gate)
        {
            var existing = Find(hash);
            if (existing is { } row)
            {
                if (pinned && !row.Pinned)
                    WithIndex(index => { index.Insert(row with { Pinned = true }); return 0; });
                return new IngestSlot(hash, size, pinned, "", alreadyStored: true, evictionNeeded: false);
            }
            if (FileSystemSpace.Of(_layout.Root).ReadOnly)
                throw new StoreUnavailableException(_layout.Root, "filesystem is read-only");
            var c = _index.Counters;
            long reservedPinned = _reserved.Values.Where(s => s.Pinned).Sum(s => s.Size);
            if (c.PinnedBytes + reservedPinned + size > QuotaBytes)
                throw new StoreFullException(_layout.Root,
                    $"no room for {hash} ({size} bytes): pinned chunks use {c.PinnedBytes + reservedPinned} of the {QuotaBytes}-byte quota");
            bool evictionNeeded = c.UsedBytes + _reservedBytes + size > QuotaBytes;
            var slot = new IngestSlot(hash, size, pinned, _layout.NewTempPath(hash), alreadyStored: false, evictionNeeded);
            _reserved[slot.TempPath] = slot;
            _reservedBytes += size;
            return slot;
        }
    }

    /// <summary>Makes a downloaded chunk part of the store: checks the temp
    /// file's size, fsyncs it, renames it to chunks/ab/&lt;hash&gt;, fsyncs the
    /// shard directory, then inserts the row and counters in one transaction.
    /// A chunk already stored makes this a no-op. On any failure the temp file
    /// is removed and no chunk file is left without its row.</summary>
    public void Commit(IngestSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        if (slot.Finished)
            throw new InvalidOperationException($"slot for {slot.Hash} was already committed or aborted");
        if (slot.AlreadyStored)
        {
            slot.Finished = true;
            return;
        }
        try
        {
            RequireOpen();
            SyncTemp(slot);
            lock (_gate)
            {
                if (Find(slot.Hash) is not null)
                {
                    TryDelete(slot.TempPath); // stored meanwhile by another download
                    return;
                }
                var c = _index.Counters;
                if (c.PinnedBytes + (slot.Pinned ? slot.Size : 0) > QuotaBytes)
                    throw new StoreFullException(_layout.Root, $"no room for {slot.Hash}: pinned chunks fill the quota");
                var target = _layout.ChunkPath(slot.Hash);
                MoveIntoPlace(slot, target);
                try
                {
                    WithIndex(index =>
                    {
                        index.Insert(new ChunkRow(slot.Hash, slot.Size, _options.Time.GetUtcNow(), null, 0, 0, slot.Pinned));
                        return 0;
                    });
                    _presence.Add(slot.Hash, slot.Size);
                }
                catch (Exception e) when (IoErrors.IsIo(e))
                {
                    TryDelete(target); // no file without its row from a commit that reports failure
                    throw IoErrors.Wrap(target, "cannot index the chunk", e);
                }
            }
        }
        catch
        {
            TryDelete(slot.TempPath);
            throw;
        }
        finally
        {
            Release(slot);
        }
    }

    /// <summary>Gives up a reservation and deletes its temp file.</summary>
    public void Abort(IngestSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        if (slot.Finished)
            return;
        if (!slot.AlreadyStored)
            TryDelete(slot.TempPath);
        Release(slot);
    }

    private void Release(IngestSlot slot)
    {
        slot.Finished = true;
        if (slot.AlreadyStored || !_reserved.TryRemove(slot.TempPath, out _))
            return;
        lock (_gate)
            _reservedBytes -= slot.Size;
    }

    private static void SyncTemp(IngestSlot slot)
    {
        try
        {
            using var file = new FileStream(slot.TempPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
            if (file.Length != slot.Size)
                throw new StoreException(slot.TempPath, $"temp file is {file.Length} bytes, the chunk is {slot.Size}");
            file.Flush(flushToDisk: true);
        }
        catch (FileNotFoundException e)
        {
            throw new StoreException(slot.TempPath, "temp file is missing", e);
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            throw IoErrors.Wrap(slot.TempPath, "cannot fsync the temp file", e);
        }
    }

    private void MoveIntoPlace(IngestSlot slot, string target)
    {
        var shard = Path.GetDirectoryName(target)!;
        var step = "create shard directory";
        try
        {
            if (!Directory.Exists(shard))
            {
                Directory.CreateDirectory(shard);
                AtomicFile.SyncDirectory(_layout.Chunks);
            }
            step = "rename into chunks/";
            // Overwrite: a same-named file not yet verified by reconcile is replaced
            // by these bytes, which the downloader has verified.
            File.Move(slot.TempPath, target, overwrite: true);
            step = "fsync shard directory";
            AtomicFile.SyncDirectory(shard);
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            if (step != "create shard directory")
                TryDelete(target);
            throw IoErrors.Wrap(target, step, e is DurableWriteException { InnerException: { } inner } ? inner : e);
        }
    }

    private void RequireOpen()
    {
        if (_closed)
            throw new StoreUnavailableException(_layout.Root, "store is closed");
    }
}
