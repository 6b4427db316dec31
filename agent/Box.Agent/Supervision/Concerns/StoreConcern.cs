using System.Text.Json.Nodes;
using Box.Agent.Cloud.Commands;
using Box.Agent.Configuration;
using Box.Agent.Storage;
using Box.Hal;
using Box.Protocol.Commands;
using Box.Store;
using Box.Store.Ingest;

namespace Box.Agent.Supervision.Concerns;

/// <summary>
/// The chunk stores: one opens on every mounted USB filesystem (never
/// anywhere else: a disk that did not mount means no store), joins the
/// <see cref="StoreSet"/> the chunk server reads, and leaves it before it is
/// closed when the filesystem goes. Opening, closing, downloads, commits and
/// eviction run off the loop (<see cref="ConcernContext.Run"/>); their
/// outcomes come back here and become command replies and the events
/// <c>store.reconciled</c>, <c>chunk.stored</c>, <c>chunk.evicted</c>,
/// <c>chunk.corrupt</c>.
/// </summary>
public sealed class StoreConcern : SupervisorConcern
{
    public const int MaxEvictHashes = 1000;
    public const int MaxListLimit = 1000;
    private const string FlushTimer = "flush-served";
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(10);

    private readonly StoreSet _set;
    private readonly string _boxId;
    private readonly Func<AgentConfig> _config;
    private readonly ChunkDownloader _downloader;
    private readonly Dictionary<string, OpenStore> _byMount = new(StringComparer.Ordinal);
    private readonly HashSet<string> _opening = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);
    private readonly Dictionary<ChunkHash, Prefetch> _prefetches = [];

    private sealed record OpenStore(ChunkStore Store, DiskInfo Disk);

    private sealed record Prefetch(ICommandJob Job, ChunkStore Store, IngestSlot Slot, string Device);

    private sealed record PrefetchDone(DownloadResult Download, string? CommitError, string? CommitCode, EvictionResult Evicted);

    private sealed record Reconciled(string Device, ReconcileReport Report);

    private sealed record Corrupt(string Device, CorruptChunk Chunk);

    public StoreConcern(ConcernContext context, DiskConcern disks, StoreSet set, string boxId, Func<AgentConfig> config, ChunkDownloader downloader)
        : base(context)
    {
        _set = set;
        _boxId = boxId;
        _config = config;
        _downloader = downloader;
        disks.FilesystemMounted += OnMounted;
        disks.FilesystemGone += OnGone;
    }

    public StoreSet Stores => _set;

    public override void Start() => Context.After(FlushTimer, FlushInterval);

    // ---- disks come and go ----

    private void OnMounted(DiskInfo disk)
    {
        var mount = disk.MountPath!;
        if (_byMount.ContainsKey(mount) || !_opening.Add(mount)) return;
        var options = StoreOptionsFrom(_config());
        var device = disk.Device;
        Context.Run("open " + mount, _ => Task.FromResult<object?>(new OpenStore(ChunkStore.Open(mount, _boxId, options with
        {
            Log = line => Context.Log.Info($"store {device}: {line}"),
        }), disk)));
    }

    private void OnGone(DiskInfo disk)
    {
        var mount = disk.MountPath!;
        _errors.Remove(disk.Device);
        if (!_byMount.Remove(mount, out var open)) return;
        // Out of the server's sight first, so no new request reaches a closing store.
        _set.Remove(open.Store);
        foreach (var (hash, p) in _prefetches.Where(p => ReferenceEquals(p.Value.Store, open.Store)).ToList())
        {
            _prefetches.Remove(hash);
            p.Job.Fail(ErrorCodes.NoDisk, $"disk {disk.Device} went away during the download");
        }
        Context.Log.Info($"store {disk.Device}: closing (filesystem gone)");
        Context.Run("close " + mount, _ =>
        {
            open.Store.Dispose(); // never throws; a vanished disk only loses the clean marker
            return Task.FromResult<object?>(null);
        });
    }

    public override void OnWork(string name, WorkOutcome outcome)
    {
        if (name.StartsWith("open ", StringComparison.Ordinal))
            Opened(name[5..], outcome);
        else if (name.StartsWith("prefetch ", StringComparison.Ordinal))
            PrefetchEnded(ChunkHash.Parse(name[9..]), outcome);
        else if (outcome.Result is Reconciled r)
            Context.PublishEvent("store.reconciled", ReconciledEvent(r));
        else if (outcome.Result is Corrupt c)
            ChunkCorrupted(c);
        else if (name == "evict" && outcome.Result is EvictionResult evicted)
            PublishEvicted(evicted, "watermark");
        else if (outcome.Error is { } error)
            Context.ReportError($"{name}: {error.Message}");
    }

    private void Opened(string mount, WorkOutcome outcome)
    {
        _opening.Remove(mount);
        if (outcome.Result is not OpenStore open)
        {
            var problem = outcome.Error?.Message ?? "cancelled";
            var device = DeviceOf(mount);
            _errors[device] = problem;
            Context.ReportError($"no chunk store on {device}: {problem}", new JsonObject { ["device"] = device });
            return;
        }
        var name = open.Disk.Device;
        open.Store.Reconciled += report => Context.Notify("reconciled", new Reconciled(name, report));
        open.Store.ChunkCorrupt += chunk => Context.Notify("corrupt", new Corrupt(name, chunk));
        _byMount[mount] = open;
        _set.Add(open.Store);
        var f = open.Store.Figures;
        Context.Log.Info($"store {name}: open at {open.Store.Layout.Root} ({f.Chunks} chunks, {f.UsedBytes} of {f.QuotaBytes} bytes, reconcile {f.Reconcile})");
    }

    private string DeviceOf(string mount) => mount.Split('/').LastOrDefault(s => s.Length > 0) ?? mount;

    private static JsonObject ReconciledEvent(Reconciled r) => new()
    {
        ["device"] = r.Device,
        ["tempRemoved"] = r.Report.TempRemoved,
        ["adopted"] = r.Report.Adopted,
        ["rejected"] = r.Report.Rejected,
        ["dropped"] = r.Report.Dropped,
        ["durationMs"] = r.Report.DurationMs,
    };

    private void ChunkCorrupted(Corrupt c)
    {
        Context.Log.Warn($"store {c.Device}: chunk {c.Chunk.Hash} removed: {c.Chunk.Problem}");
        Context.PublishEvent("chunk.corrupt", new JsonObject
        {
            ["hash"] = c.Chunk.Hash.ToString(),
            ["device"] = c.Device,
            ["problem"] = c.Chunk.Problem,
        });
    }

    // ---- commands ----

    /// <summary><c>chunk.prefetch</c>: validated here, refused at once when it
    /// cannot start (no disk, pinned chunks fill the quota, already running),
    /// answered at once when the chunk is stored already, else a long job.</summary>
    public JsonObject? StartPrefetch(ChunkHash hash, long size, string url, bool pinned, ICommandContext command)
    {
        if (_prefetches.ContainsKey(hash))
            throw new CommandException(ErrorCodes.Busy, $"chunk {hash} is being downloaded already");
        var target = PickStore(hash) ?? throw new CommandException(ErrorCodes.NoDisk, "no USB disk with a chunk store");
        IngestSlot slot;
        try
        {
            slot = target.Store.ReserveIngest(hash, size, pinned);
        }
        catch (StoreFullException e)
        {
            throw new CommandException(ErrorCodes.DiskFull, e.Message);
        }
        catch (IOException e)
        {
            throw new CommandException(ErrorCodes.NoDisk, e.Message);
        }
        if (slot.AlreadyStored)
            return new JsonObject { ["hash"] = hash.ToString(), ["size"] = size, ["stored"] = true, ["already"] = true };
        var job = command.Accept();
        var store = target.Store;
        _prefetches[hash] = new Prefetch(job, store, slot, target.Disk.Device);
        var progress = new Progress<DownloadProgress>(p => job.Progress(p.Percent, $"{p.Bytes} of {p.Size} bytes"));
        Context.Run("prefetch " + hash, async token =>
        {
            var download = await _downloader.DownloadAsync(new DownloadRequest(url, hash, size, slot.TempPath), progress, token).ConfigureAwait(false);
            if (!download.IsVerified)
            {
                store.Abort(slot);
                return new PrefetchDone(download, null, null, EvictionResult.None);
            }
            try
            {
                store.Commit(slot);
            }
            catch (StoreFullException e)
            {
                return new PrefetchDone(download, e.Message, ErrorCodes.DiskFull, EvictionResult.None);
            }
            catch (IOException e)
            {
                return new PrefetchDone(download, e.Message, ErrorCodes.NoDisk, EvictionResult.None);
            }
            return new PrefetchDone(download, null, null, store.EvictToWatermark());
        });
        return null;
    }

    private void PrefetchEnded(ChunkHash hash, WorkOutcome outcome)
    {
        if (!_prefetches.Remove(hash, out var p)) return; // failed already (its disk went away)
        switch (outcome.Result)
        {
            case PrefetchDone { Download.IsVerified: false } d:
                p.Job.Fail(d.Download.ErrorCode ?? ErrorCodes.Internal, d.Download.Message ?? d.Download.Outcome.ToString());
                break;
            case PrefetchDone { CommitError: { } error } d:
                p.Job.Fail(d.CommitCode!, error);
                break;
            case PrefetchDone d:
                Context.PublishEvent("chunk.stored", new JsonObject
                {
                    ["hash"] = hash.ToString(),
                    ["size"] = p.Slot.Size,
                    ["pinned"] = p.Slot.Pinned,
                    ["device"] = p.Device,
                });
                PublishEvicted(d.Evicted, "watermark");
                p.Job.Done(new JsonObject
                {
                    ["hash"] = hash.ToString(),
                    ["size"] = p.Slot.Size,
                    ["stored"] = true,
                    ["attempts"] = d.Download.Attempts,
                });
                break;
            default:
                p.Job.Fail(ErrorCodes.Internal, outcome.Error?.Message ?? "download cancelled");
                break;
        }
    }

    /// <summary>The store with the most room left in its quota (a chunk goes
    /// where it fits best); null when no store is open.</summary>
    private OpenStore? PickStore(ChunkHash hash)
    {
        OpenStore? best = null;
        long bestRoom = long.MinValue;
        foreach (var open in _byMount.Values)
        {
            if (open.Store.Find(hash) is not null) return open;
            var f = open.Store.Figures;
            if (!f.Available) continue;
            long room = f.QuotaBytes - f.UsedBytes;
            if (room > bestRoom) (best, bestRoom) = (open, room);
        }
        return best;
    }

    /// <summary><c>chunk.evict</c>: removes the named chunks from every store (pinned ones too: the scheduler named them).</summary>
    public JsonObject Evict(IReadOnlyList<ChunkHash> hashes)
    {
        RequireStore();
        var all = new List<ChunkHash>();
        long bytes = 0;
        foreach (var open in _byMount.Values)
        {
            var result = open.Store.Evict(hashes);
            all.AddRange(result.Hashes);
            bytes += result.Bytes;
        }
        var evicted = new EvictionResult(all.Count, bytes, all);
        PublishEvicted(evicted, "command");
        return new JsonObject { ["evicted"] = all.Count, ["bytes"] = bytes };
    }

    /// <summary><c>chunk.list</c>: stored chunks in hash order across all stores.</summary>
    public JsonObject List(ChunkHash? after, int limit)
    {
        RequireStore();
        var merged = _byMount.Values
            .SelectMany(open => open.Store.List(after, limit).Hashes)
            .Distinct()
            .Order()
            .Take(limit + 1)
            .ToList();
        var page = merged.Take(limit).ToList();
        return new JsonObject
        {
            ["hashes"] = new JsonArray([.. page.Select(h => (JsonNode)h.ToString())]),
            ["next"] = merged.Count > limit ? page[^1].ToString() : null,
        };
    }

    /// <summary><c>store.stats</c>: usage, quota and counts, in all and per disk.</summary>
    public JsonObject Stats(long bytesServed, long requestsServed)
    {
        var total = Totals;
        return new JsonObject
        {
            ["usedBytes"] = total.UsedBytes,
            ["quotaBytes"] = total.QuotaBytes,
            ["chunks"] = total.Chunks,
            ["pinnedBytes"] = _byMount.Values.Sum(o => o.Store.Figures.PinnedBytes),
            ["bytesServed"] = bytesServed,
            ["requestsServed"] = requestsServed,
            ["downloading"] = _prefetches.Count,
            ["disks"] = StateDocument.StoreDisks(DiskFigures()),
        };
    }

    private void RequireStore()
    {
        if (_byMount.Count == 0)
            throw new CommandException(ErrorCodes.NoDisk, "no USB disk with a chunk store");
    }

    private void PublishEvicted(EvictionResult evicted, string reason)
    {
        if (evicted.Count == 0) return;
        Context.Log.Info($"store: evicted {evicted.Count} chunks ({evicted.Bytes} bytes, {reason})");
        Context.PublishEvent("chunk.evicted", new JsonObject
        {
            ["hashes"] = new JsonArray([.. evicted.Hashes.Take(MaxEvictHashes).Select(h => (JsonNode)h.ToString())]),
            ["count"] = evicted.Count,
            ["bytes"] = evicted.Bytes,
            ["reason"] = reason,
        });
    }

    // ---- configuration and timers ----

    /// <summary>A new effective configuration: quota and watermarks apply at
    /// once (and may start eviction); download limits apply to new downloads.</summary>
    public void Reconfigure(AgentConfig config)
    {
        var options = StoreOptionsFrom(config);
        foreach (var open in _byMount.Values)
        {
            var store = open.Store;
            store.Reconfigure(options);
            Context.Run("evict", _ => Task.FromResult<object?>(store.EvictToWatermark()));
        }
    }

    public static StoreOptions StoreOptionsFrom(AgentConfig config) => new()
    {
        QuotaBytes = config.Store.QuotaBytes,
        QuotaPercent = config.Store.QuotaPercent,
        HighWatermarkPercent = config.Store.HighWatermarkPercent,
        LowWatermarkPercent = config.Store.LowWatermarkPercent,
        ScrubBytesPerSecond = config.Store.ScrubBytesPerSecond,
    };

    public override void OnTimer(string name)
    {
        if (name != FlushTimer) return;
        Context.After(FlushTimer, FlushInterval);
        var stores = _byMount.Values.Select(o => o.Store).ToList();
        if (stores.Count == 0) return;
        Context.Run("flush", _ =>
        {
            foreach (var store in stores)
            {
                try
                {
                    store.FlushServed();
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    // The disk went away; its store is being closed.
                }
            }
            return Task.FromResult<object?>(null);
        });
    }

    // ---- what the box reports ----

    /// <summary>Used bytes, quota and chunks over all stores.</summary>
    public StoreFigures Totals
    {
        get
        {
            long used = 0, quota = 0, chunks = 0;
            foreach (var open in _byMount.Values)
            {
                var f = open.Store.Figures;
                used += f.UsedBytes;
                quota += f.QuotaBytes;
                chunks += f.Chunks;
            }
            return new StoreFigures(used, quota, chunks);
        }
    }

    private List<StoreDiskFigures> DiskFigures() => [.. _byMount.Values.OrderBy(o => o.Disk.Device, StringComparer.Ordinal).Select(o =>
    {
        var f = o.Store.Figures;
        return new StoreDiskFigures(o.Disk.Device, o.Store.StoreId.ToString(), f.UsedBytes, f.QuotaBytes, f.Chunks,
            f.Reconcile.ToString().ToLowerInvariant(), f.Available);
    })];

    public override void Contribute(SupervisorView view)
    {
        view.Store = Totals;
        view.StoreDisks = DiskFigures();
        view.Downloading = _prefetches.Count;
        foreach (var (device, problem) in _errors.OrderBy(e => e.Key, StringComparer.Ordinal))
            view.Errors.Add($"store {device}: {problem}");
    }

    /// <summary>Closes every store (clean marker written) when the agent stops.</summary>
    public override void Dispose()
    {
        base.Dispose();
        foreach (var open in _byMount.Values)
        {
            _set.Remove(open.Store);
            open.Store.Dispose();
        }
        _byMount.Clear();
    }
}
