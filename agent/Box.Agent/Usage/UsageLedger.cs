using System.Text.Json.Nodes;
using Box.Agent.Serving;
using Box.Platform;
using Box.Store;

namespace Box.Agent.Usage;

/// <summary>What the box served, for the owner's reward (docs/contract.md §3.9).
/// The chunk server calls <see cref="Record"/> once per chunk response on HTTP
/// threads; the agent calls <see cref="CutReport"/> once per telemetry
/// interval, which turns what was served since the last cut into
/// seq-numbered reports and hands them to the link's PublishUsage.
/// Durability (files in one directory):
/// <list type="bullet">
/// <item>every Record is one pwrite(2) to the current journal before it
/// returns (survives SIGKILL); journals are fsynced about once a
/// <see cref="UsageLedgerOptions.SyncInterval"/> while requests are recorded
/// and never while idle (a power cut loses at most that last batch);</item>
/// <item>a cut switches to a new journal generation, then commits in one
/// atomic <see cref="UsageState"/> write the reports as pending, the next seq
/// and the new generation (so the reported journals no longer count), then
/// deletes the old journals, hands the reports over and commits them as no
/// longer pending;</item>
/// <item>on open the journals of the committed generation and later are
/// replayed and pending reports are handed over again with the same seq.</item>
/// </list>
/// So a seq is never used for two contents, a served byte is in exactly one
/// seq (or still in the tally), and seqs have no gaps. Thread-safe.</summary>
public sealed class UsageLedger : IServeRecorder, IDisposable
{
    private readonly object _gate = new();      // the tally and the current journal (Record's lock)
    private readonly object _cutGate = new();   // cuts, syncs and close, one at a time; taken before _gate
    private readonly string _directory;
    private readonly string _statePath;
    private readonly Action<JsonObject> _publish;
    private readonly TimeProvider _time;
    private readonly Action<string>? _log;
    private readonly UsageLedgerOptions _options;
    private readonly ITimer _syncTimer;
    /// <summary>Journals whose records are in the tally but not in a committed
    /// report (their generation is below the current one): deleted on commit.</summary>
    private readonly List<UsageJournal> _retired = [];
    private UsageTally _tally = new();
    private UsageJournal _journal = null!;
    private UsageState _state = null!;
    private UsageFigures _lifetime;
    private bool _syncScheduled;
    private bool _journalFailing;
    private bool _disposed;
    private long _syncs;
    private long _unjournaled;

    private UsageLedger(string directory, Action<JsonObject> publish, TimeProvider time, Action<string>? log, UsageLedgerOptions options)
    {
        _directory = directory;
        _statePath = Path.Combine(directory, UsageState.FileName);
        _publish = publish;
        _time = time;
        _log = log;
        _options = options;
        _syncTimer = time.CreateTimer(_ => SyncDue(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Opens (or creates) the ledger in <paramref name="directory"/>:
    /// replays the unreported journals and hands pending reports to
    /// <paramref name="publish"/> again (same seq; the cloud de-duplicates).
    /// <paramref name="publish"/> must make the report durable before it
    /// returns (the link's PublishUsage fsyncs it into the offline queue) and
    /// throw when it could not. A damaged state file throws
    /// <see cref="UsageLedgerException"/> and changes nothing.</summary>
    public static UsageLedger Open(string directory, Action<JsonObject> publish, TimeProvider time, Action<string>? log, UsageLedgerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(publish);
        ArgumentNullException.ThrowIfNull(time);
        options ??= new UsageLedgerOptions();
        options.Validate();
        Directory.CreateDirectory(directory);
        var ledger = new UsageLedger(directory, publish, time, log, options);
        try
        {
            ledger.Recover();
        }
        catch
        {
            ledger.Close();
            throw;
        }
        return ledger;
    }

    /// <summary>After a <see cref="UsageLedgerException"/>, when the box must
    /// go on counting: renames the damaged state to <c>state.damaged-UNIX</c>
    /// (kept for whoever settles the owner's account; said in the log) so the
    /// next open starts over. Its seqs then start at the Unix time in
    /// milliseconds, above any seq this box can have used, so none is reused;
    /// the journals still on disk are counted again. What the damaged file
    /// alone held (its pending reports, the lifetime totals) is in that file
    /// only. Returns the new name.</summary>
    public static string SetAsideDamagedState(string directory, TimeProvider time, Action<string>? log)
    {
        var path = Path.Combine(directory, UsageState.FileName);
        var aside = $"{path}.damaged-{time.GetUtcNow().ToUnixTimeSeconds()}";
        File.Move(path, aside);
        AtomicFile.SyncDirectory(directory);
        log?.Invoke($"usage ledger: set the damaged {path} aside as {aside}; its pending reports and lifetime totals are not reported");
        return aside;
    }

    private void Recover()
    {
        var loaded = UsageState.Load(_statePath);
        if (loaded is null)
        {
            var now = _time.GetUtcNow();
            // A state set aside as damaged may have used any seq: start above all of them.
            var afterDamage = Directory.EnumerateFiles(_directory, UsageState.FileName + ".damaged-*").Any();
            loaded = UsageState.Fresh(now.ToUnixTimeSeconds(), afterDamage ? now.ToUnixTimeMilliseconds() : 1);
            loaded.Save(_statePath);
        }
        _state = loaded;
        _lifetime = loaded.Lifetime;
        foreach (var (generation, path) in UsageJournal.List(_directory))
        {
            if (generation < loaded.Journal)
            {
                // Reported in a committed cut; a crash came before its delete.
                File.Delete(path);
                continue;
            }
            // Held in _retired at once, so a failure further on closes it.
            _retired.Add(UsageJournal.Replay(path, generation, (jti, hash, bytes) => Count(jti, hash, bytes), _log));
        }
        if (_retired.Count > 0)
        {
            // The newest takes the appends; older ones (a crash mid-cut) stay until the next commit.
            _journal = _retired[^1];
            _retired.RemoveAt(_retired.Count - 1);
        }
        else
        {
            _journal = UsageJournal.Create(_directory, loaded.Journal);
            // A cut's new journal is made durable by the commit's directory fsync; this one by its own.
            AtomicFile.SyncDirectory(_directory);
        }
        if (!_tally.IsEmpty)
            _log?.Invoke($"usage ledger: {_tally.Requests} requests ({_tally.Bytes} bytes) not yet reported from before");
        if (_state.Pending.Count > 0)
            _log?.Invoke($"usage ledger: handing {_state.Pending.Count} pending reports over again (same seq)");
        lock (_cutGate)
            PublishPending();
    }

    private void Count(string jti, ChunkHash hash, long bytes)
    {
        _tally.Add(jti, hash, bytes);
        _lifetime = new(_lifetime.Bytes + bytes, _lifetime.Requests + 1);
    }

    /// <summary>Counts one chunk response. One pwrite(2) under a lock, no
    /// allocation once the (token, chunk) is in the tally; never throws (a
    /// journal that cannot be written is logged and the request is still
    /// counted in memory, so only a crash before the next cut could lose it).</summary>
    public void Record(in ServedRequest served)
    {
        var jti = served.Jti ?? "";
        if (jti.Length > UsageJournal.MaxJtiChars)
            jti = jti[..UsageJournal.MaxJtiChars];
        var bytes = Math.Max(0, served.Bytes);
        lock (_gate)
        {
            if (_disposed)
            {
                _unjournaled++;
                _log?.Invoke($"usage ledger: closed; {bytes} bytes served under {jti} not counted");
                return;
            }
            try
            {
                _journal.Append(jti, served.Hash, bytes, served.At.ToUnixTimeMilliseconds());
                _journalFailing = false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                _unjournaled++;
                if (!_journalFailing)
                    _log?.Invoke($"usage ledger: cannot write {_journal.Path}: {e.Message}; counting in memory only until it works again");
                _journalFailing = true;
            }
            Count(jti, served.Hash, bytes);
            if (!_syncScheduled)
            {
                _syncScheduled = true;
                _syncTimer.Change(_options.SyncInterval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Served since the box was set up (reported and not yet), for
    /// the status page and metrics.</summary>
    public UsageFigures Lifetime { get { lock (_gate) return _lifetime; } }

    /// <summary>Served since the last cut (not in any report yet).</summary>
    public UsageFigures Unreported { get { lock (_gate) return _tally.Totals; } }

    /// <summary>Reports cut but not yet accepted by the publish delegate.</summary>
    public int PendingReports { get { lock (_cutGate) return _state.Pending.Count; } }

    /// <summary>The seq the next report gets.</summary>
    public long NextSeq { get { lock (_cutGate) return _state.NextSeq; } }

    /// <summary>Journal fsyncs since open: about one per sync interval while
    /// requests are recorded, none while idle.</summary>
    public long JournalSyncs => Interlocked.Read(ref _syncs);

    /// <summary>Requests counted in memory only because the journal could not
    /// be written (or recorded after close, not counted at all).</summary>
    public long Unjournaled { get { lock (_gate) return _unjournaled; } }

    /// <summary>Cuts a report when anything was served since the last one:
    /// reports with the next seqs (split at the token cap), committed as
    /// pending together with the reset tally, then handed to the publish
    /// delegate. Earlier pending reports go first. Returns how many reports
    /// were cut (0 when idle). Never throws for I/O: a cut that cannot be
    /// committed is undone (everything stays counted, the seq unused) and
    /// tried again next time; a report the delegate refused stays pending.</summary>
    public int CutReport(DateTimeOffset now)
    {
        lock (_cutGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var cut = 0;
            UsageTally? taken = null;
            lock (_gate)
            {
                if (!_tally.IsEmpty)
                {
                    UsageJournal next;
                    try
                    {
                        next = UsageJournal.Create(_directory, _journal.Generation + 1);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        _log?.Invoke($"usage ledger: cannot start a new journal ({e.Message}); the report is cut next time");
                        PublishPending();
                        return 0;
                    }
                    taken = _tally;
                    _tally = new UsageTally();
                    _retired.Add(_journal);
                    _journal = next;
                }
            }
            if (taken is not null)
                cut = Commit(taken, now);
            PublishPending();
            return cut;
        }
    }

    /// <summary>Commits <paramref name="taken"/> as pending reports; undoes
    /// the cut (back into the tally) when the state cannot be written.</summary>
    private int Commit(UsageTally taken, DateTimeOffset now)
    {
        var from = _state.PeriodFrom;
        // A clock stepped back (no RTC before NTP) must not give to < from.
        var to = Math.Max(from, now.ToUnixTimeSeconds());
        var reports = UsageReports.Build(taken, _state.NextSeq, from, to, _options.MaxTokensPerReport);
        var committed = _state with
        {
            NextSeq = _state.NextSeq + reports.Count,
            Journal = _journal.Generation,
            PeriodFrom = to,
            Lifetime = new(_state.Lifetime.Bytes + taken.Bytes, _state.Lifetime.Requests + taken.Requests),
            Pending = [.. _state.Pending, .. reports],
        };
        try
        {
            committed.Save(_statePath);
        }
        catch (IOException e)
        {
            // The journals stay, so a restart replays all of it too.
            lock (_gate)
                _tally.AddAll(taken);
            _log?.Invoke($"usage ledger: cannot commit the cut ({e.Message}); {taken.Requests} requests stay counted for the next one");
            return 0;
        }
        _state = committed;
        List<UsageJournal> reported;
        lock (_gate)
        {
            reported = _retired.Where(j => j.Generation < committed.Journal).ToList();
            _retired.RemoveAll(j => j.Generation < committed.Journal);
        }
        foreach (var journal in reported)
        {
            try
            {
                journal.Delete();
            }
            catch (IOException e)
            {
                // Harmless: below the committed generation, so never replayed; deleted on the next open.
                _log?.Invoke($"usage ledger: cannot delete {journal.Path}: {e.Message}");
            }
        }
        return reports.Count;
    }

    /// <summary>Reports handed over between two commits of the pending mark:
    /// a crash in a long hand-over (many reports queued while the delegate
    /// failed, or a cut split many times) repeats at most this many, instead
    /// of starting over and never getting through.</summary>
    private const int HandOverBatch = 32;

    /// <summary>Hands the pending reports to the delegate in seq order, stops
    /// at the first it refuses, and commits the rest as still pending.</summary>
    private void PublishPending()
    {
        var pending = _state.Pending;
        int handed = 0, cleared = 0;
        foreach (var report in pending)
        {
            try
            {
                _publish((JsonObject)JsonNode.Parse(report)!);
            }
            catch (Exception e)
            {
                _log?.Invoke($"usage ledger: could not hand over a report ({e.GetType().Name}: {e.Message}); it stays pending, tried again at the next cut");
                break;
            }
            handed++;
            if (handed - cleared == HandOverBatch && handed < pending.Count)
            {
                ClearPending(handed - cleared);
                cleared = handed;
            }
        }
        if (handed > cleared)
            ClearPending(handed - cleared);
    }

    /// <summary>Commits the first <paramref name="count"/> pending reports as handed over.</summary>
    private void ClearPending(int count)
    {
        _state = _state with { Pending = _state.Pending.Skip(count).ToList() };
        try
        {
            _state.Save(_statePath);
        }
        catch (IOException e)
        {
            // Still marked pending on disk: a restart hands them over again under the same seq, which the cloud drops.
            _log?.Invoke($"usage ledger: cannot clear the pending mark ({e.Message})");
        }
    }

    private void SyncDue()
    {
        lock (_cutGate)
        {
            List<UsageJournal> journals;
            lock (_gate)
            {
                _syncScheduled = false;
                if (_disposed)
                    return;
                journals = [.. _retired, _journal];
            }
            SyncAll(journals);
        }
    }

    private void SyncAll(List<UsageJournal> journals)
    {
        foreach (var journal in journals)
        {
            try
            {
                journal.Sync();
                Interlocked.Increment(ref _syncs);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                _log?.Invoke($"usage ledger: fsync of {journal.Path} failed: {e.Message}");
            }
        }
    }

    /// <summary>Fsyncs the journals now (clean stop); a no-op when nothing is unsynced.</summary>
    public void Flush()
    {
        lock (_cutGate)
        {
            List<UsageJournal> journals;
            lock (_gate)
            {
                if (_disposed || !_syncScheduled)
                    return;
                _syncScheduled = false;
                _syncTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                journals = [.. _retired, _journal];
            }
            SyncAll(journals);
        }
    }

    public void Dispose()
    {
        Flush();
        Close();
    }

    private void Close()
    {
        lock (_cutGate)
        {
            lock (_gate)
            {
                if (_disposed)
                    return;
                _disposed = true;
            }
            _syncTimer.Dispose();
            foreach (var journal in _retired)
                journal.Dispose();
            _journal?.Dispose();
        }
    }
}
