using System.Collections.Concurrent;
using System.Text.Json;
using Box.Platform;

namespace Box.Store;

/// <summary>
/// The chunk store on one mounted filesystem: files under box-store/chunks
/// are the truth, the LiteDB index a rebuildable cache of them. Open decides
/// how far the index can be trusted (clean marker, store-id, a readable
/// index) and starts reconcile when it cannot be; serving starts at once
/// either way. Reads (<see cref="OpenRead"/>, <see cref="NoteServed"/>) are
/// concurrent; changes (ingest commit, evict, reconcile, scrub removals) are
/// serialised by one gate. Split by concern over ChunkStore.*.cs.
/// </summary>
public sealed partial class ChunkStore : IChunkReader, IDisposable
{
    private readonly StoreLayout _layout;
    private volatile StoreOptions _options;
    private readonly object _gate = new();
    private readonly ServedLedger _ledger = new();
    private readonly ConcurrentDictionary<string, IngestSlot> _reserved = new();
    private readonly CancellationTokenSource _stop = new();
    private StoreIdentity _identity;
    private volatile ChunkIndex _index;
    private volatile ChunkPresence _presence = new();
    private volatile bool _closed;
    private long _quotaBytes;

    private ChunkStore(StoreLayout layout, StoreOptions options, StoreIdentity identity, ChunkIndex index)
    {
        _layout = layout;
        _options = options;
        _identity = identity;
        _index = index;
    }

    /// <summary>Raised (on a store thread) when the scrubber or a read finds a
    /// chunk whose bytes no longer match; the chunk is gone from the store by then.</summary>
    public event Action<CorruptChunk>? ChunkCorrupt;

    /// <summary>Raised (on the reconcile thread) when a reconcile or rebuild finished.</summary>
    public event Action<ReconcileReport>? Reconciled;

    public StoreLayout Layout => _layout;
    public Guid StoreId => _identity.StoreId;
    public string BoxId => _identity.BoxId;

    /// <summary>Opens the store under <paramref name="mountPath"/>/box-store,
    /// creating it on a fresh disk. Throws <see cref="StoreUnavailableException"/>
    /// when the filesystem is missing or read-only, <see cref="StoreException"/>
    /// for a store written by a newer format.</summary>
    public static ChunkStore Open(string mountPath, string boxId, StoreOptions? options = null)
    {
        options ??= new StoreOptions();
        var layout = new StoreLayout(mountPath);
        if (!Directory.Exists(layout.MountPath))
            throw new StoreUnavailableException(layout.MountPath, "mount path does not exist");
        try
        {
            Directory.CreateDirectory(layout.Root);
            Directory.CreateDirectory(layout.Chunks);
            Directory.CreateDirectory(layout.Temp);
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            throw IoErrors.Wrap(layout.Root, "cannot create the store directories", e);
        }

        var identity = StoreIdentity.Read(layout.IdentityFile);
        bool trustIndex = true, fresh = false;
        if (identity is null)
        {
            // A new store, unless chunks were left by one whose store-id is lost: then rebuild.
            fresh = !Directory.EnumerateFileSystemEntries(layout.Chunks).Any();
            identity = new StoreIdentity(Guid.NewGuid(), boxId, StoreIdentity.CurrentFormat);
            identity.Write(layout.IdentityFile);
        }
        else if (identity.FormatVersion > StoreIdentity.CurrentFormat)
        {
            throw new StoreException(layout.IdentityFile,
                $"store format {identity.FormatVersion} is newer than this agent's {StoreIdentity.CurrentFormat}; update the agent");
        }
        else if (identity.BoxId != boxId)
        {
            // Another box's disk: adopt it (same store UUID), but its index was
            // kept by someone else's code and clock: rebuild from the files.
            options.Log?.Invoke($"store {identity.StoreId} was box {identity.BoxId}'s; adopting it for {boxId}");
            identity = identity with { BoxId = boxId };
            identity.Write(layout.IdentityFile);
            trustIndex = false;
        }

        var marker = ReadMarker(layout, options);
        try
        {
            AtomicFile.Delete(layout.CleanMarker); // from here on a crash is an unclean stop
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            throw IoErrors.Wrap(layout.CleanMarker, "cannot remove the clean-shutdown marker", e);
        }

        ChunkIndex? index = null;
        if (trustIndex)
        {
            try
            {
                index = ChunkIndex.Open(layout, identity.StoreId, options.IndexRecyclePages);
            }
            catch (IndexBrokenException e)
            {
                options.Log?.Invoke($"{e.Message}; rebuilding it from the chunk files");
            }
        }
        var state = fresh ? ReconcileState.Done : ReconcileState.Running;
        if (index is null)
        {
            index = OpenFreshIndex(layout, identity.StoreId, options);
            state = ReconcileState.Rebuilding;
        }
        else if (!fresh && marker is not null && marker.StoreId == identity.StoreId
            && marker.Chunks == index.Counters.Chunks && marker.UsedBytes == index.Counters.UsedBytes
            && index.GetMeta(Reconciler.CursorName) is null)
        {
            state = ReconcileState.Done;
        }

        var store = new ChunkStore(layout, options, identity, index);
        store._quotaBytes = store.ComputeQuota();
        store._reconcileState = state;
        store.StartMaintenance(needsReconcile: state != ReconcileState.Done, emptyIndex: index.Counters.Chunks == 0);
        return store;
    }

    /// <summary>Takes new quota and watermark settings (a configuration change);
    /// eviction and ingest use them from the next call. Rates of the background
    /// loops stay as they were opened with until the next open.</summary>
    public void Reconfigure(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = _options with
        {
            QuotaBytes = options.QuotaBytes,
            QuotaPercent = options.QuotaPercent,
            HighWatermarkPercent = options.HighWatermarkPercent,
            LowWatermarkPercent = options.LowWatermarkPercent,
        };
        Interlocked.Exchange(ref _quotaBytes, ComputeQuota());
    }

    /// <summary>The quota in bytes: fixed, or a share of the filesystem's size.</summary>
    public long QuotaBytes => Interlocked.Read(ref _quotaBytes);

    public StoreFigures Figures
    {
        get
        {
            var c = _index.Counters;
            return new StoreFigures(c.UsedBytes, QuotaBytes, c.Chunks, c.PinnedBytes, _reconcileState, _lastReconcile,
                !_closed && _layout.IsReachable());
        }
    }

    /// <summary>Flushes served figures, stops the background loops, checkpoints
    /// the index and writes the clean-shutdown marker last (only when the index
    /// matches the files, i.e. no reconcile is pending). Throws
    /// <see cref="StoreException"/> when that could not be done cleanly (the
    /// disk went away); everything is released either way.</summary>
    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        _stop.Cancel();
        var problems = new List<string>();
        WaitForLoops(problems);
        try
        {
            FlushServedCore();
        }
        catch (Exception e) when (IoErrors.IsIo(e) || e is ObjectDisposedException)
        {
            problems.Add($"served figures not flushed: {e.Message}");
        }
        foreach (var slot in _reserved.Values)
            TryDelete(slot.TempPath);
        _reserved.Clear();

        var counters = _index.Counters;
        bool indexClosed = RunBounded(() => _index.Dispose(), "closing the index", problems);
        if (indexClosed && _reconcileState == ReconcileState.Done && problems.Count == 0)
        {
            var marker = new CleanShutdownMarker(_identity.StoreId, counters.Chunks, counters.UsedBytes, _options.Time.GetUtcNow());
            RunBounded(() => AtomicFile.Write(_layout.CleanMarker,
                JsonSerializer.SerializeToUtf8Bytes(marker, StoreJsonContext.Default.CleanShutdownMarker)), "writing the clean-shutdown marker", problems);
        }
        _stop.Dispose();
        if (problems.Count > 0)
            throw new StoreException(_layout.Root, "not closed cleanly: " + string.Join("; ", problems));
    }

    /// <summary>Close, without throwing: a store whose disk vanished is simply released.</summary>
    public void Dispose()
    {
        try
        {
            Close();
        }
        catch (Exception e) when (IoErrors.IsIo(e) || e is ObjectDisposedException)
        {
            _options.Log?.Invoke(e.Message);
        }
    }

    private long ComputeQuota()
    {
        var space = FileSystemSpace.Of(_layout.Root);
        if (_options.QuotaBytes > 0)
            return Math.Min(_options.QuotaBytes, space.TotalBytes);
        return space.TotalBytes / 100 * Math.Clamp(_options.QuotaPercent, 1, 100);
    }

    private static CleanShutdownMarker? ReadMarker(StoreLayout layout, StoreOptions options)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(layout.CleanMarker), StoreJsonContext.Default.CleanShutdownMarker);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is JsonException || IoErrors.IsIo(e))
        {
            options.Log?.Invoke($"{layout.CleanMarker}: unreadable ({e.Message}); treating the last stop as unclean");
            return null;
        }
    }

    private static ChunkIndex OpenFreshIndex(StoreLayout layout, Guid storeId, StoreOptions options)
    {
        try
        {
            ChunkIndex.MoveAside(layout);
            return ChunkIndex.Open(layout, storeId, options.IndexRecyclePages);
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            throw IoErrors.Wrap(layout.IndexFile, "cannot create a new index", e);
        }
    }

    /// <summary>Runs a step that touches the disk on its own thread and gives up
    /// waiting after a while: a disk that died mid-I/O can block a call in the
    /// kernel, and Close must return.</summary>
    private static bool RunBounded(Action step, string what, List<string> problems)
    {
        var task = Task.Factory.StartNew(step, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            if (task.Wait(TimeSpan.FromSeconds(10)))
                return true;
            problems.Add($"{what}: timed out");
        }
        catch (AggregateException e)
        {
            problems.Add($"{what}: {e.InnerException?.Message}");
        }
        return false;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
        }
    }
}
