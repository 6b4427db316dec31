using LiteDB;

namespace Box.Store;

/// <summary>The background loops (reconcile, scrub) and what they may do.</summary>
public sealed partial class ChunkStore : IStoreMaintenance
{
    private volatile ReconcileState _reconcileState;
    private ReconcileReport? _lastReconcile;
    private Task? _reconcileTask;
    private Task? _scrubTask;
    private CancellationTokenSource? _reconcilePass;
    private int _reconcileWanted;
    private Scrubber? _scrubber;

    internal ChunkIndex Index => _index;

    /// <summary>Chunks the scrubber has checked since open.</summary>
    public long ScrubbedChunks => _scrubber?.Checked ?? 0;

    private Task? _loadTask;

    /// <summary>Serving starts at once on the index; the presence set loads in
    /// the background (one index scan), then reconcile runs if needed, then the
    /// scrubber starts.</summary>
    private void StartMaintenance(bool needsReconcile, bool emptyIndex)
    {
        if (emptyIndex)
        {
            _presence.MarkEmpty();
            AfterLoad(needsReconcile);
            return;
        }
        _loadTask = Task.Factory.StartNew(() =>
        {
            var presence = _presence;
            var index = _index;
            try
            {
                presence.Load(ScanAll(index, _stop.Token), (int)Math.Min(index.Counters.Chunks, int.MaxValue));
                Log($"presence set loaded: {index.Counters.Chunks} chunks");
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (IoErrors.IsIo(e) || e is ObjectDisposedException)
            {
                Log($"presence set not loaded ({e.Message}); serving from the index");
            }
            AfterLoad(needsReconcile);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void AfterLoad(bool needsReconcile)
    {
        if (_stop.IsCancellationRequested)
            return;
        if (needsReconcile)
            RequestReconcile();
        StartScrubber();
    }

    private static IEnumerable<ChunkRow> ScanAll(ChunkIndex index, CancellationToken stop)
    {
        const int page = 10_000;
        ChunkHash? after = null;
        while (true)
        {
            stop.ThrowIfCancellationRequested();
            var rows = index.ScanAfter(after, page);
            foreach (var row in rows)
                yield return row;
            if (rows.Count < page)
                yield break;
            after = rows[^1].Hash;
        }
    }

    /// <summary>Runs (or re-runs) reconcile in the background; one at a time.</summary>
    private void RequestReconcile()
    {
        lock (_gate)
        {
            Volatile.Write(ref _reconcileWanted, 1);
            _reconcilePass?.Cancel();
            if (_reconcileTask is { IsCompleted: false })
                return;
            _reconcileTask = Task.Factory.StartNew(ReconcileLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    private void ReconcileLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            CancellationTokenSource pass;
            lock (_gate)
            {
                if (Interlocked.Exchange(ref _reconcileWanted, 0) == 0)
                    return;
                pass = _reconcilePass = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            }
            try
            {
                var report = new Reconciler(this, _options.ReconcileBytesPerSecond).Run(pass.Token);
                lock (_gate)
                {
                    if (Volatile.Read(ref _reconcileWanted) == 1)
                        continue; // the index was swapped meanwhile: run again
                    _lastReconcile = report;
                    _reconcileState = ReconcileState.Done;
                }
                Log($"reconcile done: {report}");
                Reconciled?.Invoke(report);
            }
            catch (OperationCanceledException)
            {
            }
            catch (ObjectDisposedException)
            {
                // the index was swapped or closed under the pass; the loop decides
            }
            catch (IndexBrokenException e)
            {
                if (_layout.IsReachable())
                    OnIndexFailure(_index, e);
                else
                    FailReconcile(e);
            }
            catch (Exception e) when (IoErrors.IsIo(e))
            {
                FailReconcile(e);
            }
            finally
            {
                pass.Dispose();
            }
        }
    }

    private void FailReconcile(Exception e)
    {
        _reconcileState = ReconcileState.Failed;
        Log($"reconcile stopped: {e.Message}; it resumes at the next open");
    }

    private void StartScrubber()
    {
        if (_options.ScrubBytesPerSecond <= 0)
            return;
        _scrubber = new Scrubber(this, _options.ScrubBytesPerSecond);
        _scrubTask = Task.Factory.StartNew(ScrubLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void ScrubLoop()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            var pause = _options.ScrubPassInterval;
            if (_reconcileState is not ReconcileState.Done)
            {
                pause = TimeSpan.FromSeconds(1); // scrub only rows reconcile has vouched for
            }
            else
            {
                try
                {
                    int corrupt = _scrubber!.RunPass(stop);
                    Log($"scrub pass done: {corrupt} corrupt");
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception e) when (IoErrors.IsIo(e) || e is ObjectDisposedException)
                {
                    Log($"scrub paused: {e.Message}");
                    pause = TimeSpan.FromMinutes(1);
                }
            }
            stop.WaitHandle.WaitOne(pause);
        }
    }

    private void WaitForLoops(List<string> problems)
    {
        foreach (var task in new[] { _loadTask, _reconcileTask, _scrubTask })
        {
            if (task is not null && !task.Wait(TimeSpan.FromSeconds(10)))
                problems.Add("a background loop did not stop in time");
        }
    }

    /// <summary>The index failed while the disk is there: move it aside, start
    /// an empty one and rebuild it from the files, serving what is verified.</summary>
    internal void OnIndexFailure(ChunkIndex failed, Exception e)
    {
        lock (_gate)
        {
            if (_closed || !ReferenceEquals(_index, failed))
                return;
            Log($"{e.Message}{(e.InnerException is { } i ? $" ({i.Message})" : "")}; rebuilding the index from the chunk files");
            try
            {
                failed.Dispose();
            }
            catch (Exception ex) when (IoErrors.IsIo(ex) || ex is ObjectDisposedException)
            {
            }
            _index = OpenFreshIndex(_layout, _identity.StoreId, _options);
            var presence = new ChunkPresence();
            presence.MarkEmpty();
            _presence = presence;
            _reconcileState = ReconcileState.Rebuilding;
            RequestReconcile();
        }
    }

    StoreLayout IStoreMaintenance.Layout => _layout;
    TimeProvider IStoreMaintenance.Time => _options.Time;

    private void Log(string line) => _options.Log?.Invoke(line);

    void IStoreMaintenance.Log(string line) => Log(line);

    bool IStoreMaintenance.TryGetRow(ChunkHash hash, out ChunkRow row) => _index.TryGet(hash, out row);

    bool IStoreMaintenance.HasRow(ChunkHash hash, long size)
    {
        var presence = _presence;
        if (presence.Loaded && (!presence.TryGet(hash, out var known) || known is not null))
            return known == size;
        return _index.TryGet(hash, out var row) && row.Size == size;
    }

    List<ChunkRow> IStoreMaintenance.ScanRows(ChunkHash? after, int limit) => _index.ScanAfter(after, limit);

    void IStoreMaintenance.Adopt(IReadOnlyList<ChunkRow> rows, string cursorName, BsonDocument cursor)
    {
        lock (_gate)
        {
            // A file evicted or condemned since it was hashed must not come back.
            var present = rows.Where(r => File.Exists(_layout.ChunkPath(r.Hash))).ToList();
            _index.InsertBatch(present, cursorName, cursor);
            foreach (var row in present)
                _presence.Add(row.Hash, row.Size);
        }
    }

    void IStoreMaintenance.DropRow(ChunkHash hash)
    {
        lock (_gate)
        {
            if (!File.Exists(_layout.ChunkPath(hash)))
            {
                _presence.Remove(hash);
                _index.Delete(hash);
            }
        }
    }

    /// <summary>Row first: from this moment OpenRead answers NotFound.</summary>
    void IStoreMaintenance.Condemn(ChunkHash hash, string problem) => Condemn(hash, problem);

    private void Condemn(ChunkHash hash, string problem)
    {
        var path = _layout.ChunkPath(hash);
        lock (_gate)
        {
            _presence.Remove(hash); // from here OpenRead answers NotFound
            try
            {
                _index.Delete(hash);
                File.Delete(path);
            }
            catch (Exception e) when (IoErrors.IsIo(e) || e is ObjectDisposedException)
            {
                Log($"{path}: corrupt, and could not be removed: {e.Message}");
            }
        }
        Log($"{path}: corrupt ({problem}); removed");
        ChunkCorrupt?.Invoke(new CorruptChunk(hash, problem));
    }

    bool IStoreMaintenance.IsReservedTemp(string path) => _reserved.ContainsKey(path);

    BsonDocument? IStoreMaintenance.LoadCursor(string name) => _index.GetMeta(name);

    void IStoreMaintenance.SaveCursor(string name, BsonDocument? cursor) => _index.SetMeta(name, cursor);
}
