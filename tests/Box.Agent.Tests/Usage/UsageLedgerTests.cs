using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Box.Agent.Serving;
using Box.Agent.Usage;
using Box.Store;

namespace Box.Agent.Tests.Usage;

public sealed class UsageLedgerTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDir _dir = new("usage");
    private readonly FakeTime _time = new(Start);
    private readonly ConcurrentQueue<string> _log = new();
    private readonly List<JsonObject> _published = [];

    private UsageLedger Open(UsageLedgerOptions? options = null, Action<JsonObject>? publish = null) =>
        UsageLedger.Open(_dir.Path, publish ?? Publish, _time, _log.Enqueue, options);

    private void Publish(JsonObject report)
    {
        lock (_published)
            _published.Add(report);
    }

    private static ChunkHash Chunk(int n) => ChunkHash.Of([(byte)n]);

    private static ServedRequest Served(string jti, int chunk, long bytes) => new(jti, Chunk(chunk), bytes, Start);

    private static long Long(JsonNode? node, string name) => node![name]!.GetValue<long>();

    private static List<(string Jti, string H, long Bytes, long Requests)> Tokens(JsonObject report) =>
        report["tokens"]!.AsArray().Select(t => (t!["jti"]!.GetValue<string>(), t["h"]!.GetValue<string>(), Long(t, "bytes"), Long(t, "requests"))).ToList();

    private string Journal => Directory.GetFiles(_dir.Path, "journal-*.log").Single();

    [Fact]
    public void ReportItemisesTokenAndChunkWithTotalsFromToAndConsecutiveSeqs()
    {
        using var ledger = Open();
        ledger.Record(Served("t-1", 1, 1000));
        ledger.Record(Served("t-1", 1, 500));
        ledger.Record(Served("t-1", 2, 7));
        ledger.Record(Served("t-2", 1, 0)); // a HEAD: a request of no bytes
        Assert.Equal(new UsageFigures(1507, 4), ledger.Unreported);
        var firstCut = Start.AddSeconds(60);
        Assert.Equal(1, ledger.CutReport(firstCut));
        var report = Assert.Single(_published);
        Assert.Equal(1, Long(report, "seq"));
        Assert.Equal(Start.ToUnixTimeSeconds(), Long(report, "from"));
        Assert.Equal(firstCut.ToUnixTimeSeconds(), Long(report, "to"));
        Assert.Equal((1507, 4), (Long(report, "bytes"), Long(report, "requests")));
        var expected = new[]
        {
            ("t-1", Chunk(1).ToString(), 1500L, 2L),
            ("t-1", Chunk(2).ToString(), 7L, 1L),
            ("t-2", Chunk(1).ToString(), 0L, 1L),
        };
        Assert.Equal(expected.OrderBy(t => t.Item1 + t.Item2, StringComparer.Ordinal), Tokens(report).OrderBy(t => t.Jti + t.H, StringComparer.Ordinal));
        Assert.Equal(default, ledger.Unreported);
        Assert.Equal(0, ledger.PendingReports);

        // An interval with nothing served publishes nothing and uses no seq.
        Assert.Equal(0, ledger.CutReport(firstCut.AddSeconds(60)));
        Assert.Single(_published);
        ledger.Record(Served("t-3", 3, 42));
        Assert.Equal(1, ledger.CutReport(firstCut.AddSeconds(120)));
        Assert.Equal(2, Long(_published[1], "seq"));
        Assert.Equal(firstCut.ToUnixTimeSeconds(), Long(_published[1], "from")); // the periods tile the timeline
        Assert.Equal(new UsageFigures(1549, 5), ledger.Lifetime);
        // Reports are documents the link can send as they are.
        Assert.Equal(["seq", "from", "to", "bytes", "requests", "tokens"], _published[1].Select(p => p.Key));
    }

    [Fact]
    public void UnreportedUsageSurvivesAnAbruptEndAndLifetimeSurvivesReopen()
    {
        var first = Open();
        first.Record(Served("a", 1, 100));
        first.CutReport(Start.AddSeconds(60));
        first.Record(Served("a", 1, 10));
        first.Record(Served("b", 2, 20));
        // No Dispose, no Flush: as after a SIGKILL (the writes are in the page cache).
        using var second = Open();
        Assert.Equal(new UsageFigures(30, 2), second.Unreported);
        Assert.Equal(new UsageFigures(130, 3), second.Lifetime);
        Assert.Equal(1, second.CutReport(Start.AddSeconds(120)));
        Assert.Equal([1L, 2L], _published.Select(r => Long(r, "seq")));
        Assert.Equal(30, Long(_published[1], "bytes"));
        first.Dispose();
    }

    [Fact]
    public void ARefusedReportStaysPendingAndIsHandedOverAgainWithTheSameSeqAndContent()
    {
        var refuse = true;
        var attempts = new List<string>();
        void Flaky(JsonObject report)
        {
            attempts.Add(report.ToJsonString());
            if (refuse)
                throw new IOException("queue disk full");
        }
        using (var ledger = Open(publish: Flaky))
        {
            ledger.Record(Served("t", 1, 64));
            Assert.Equal(1, ledger.CutReport(Start.AddSeconds(60)));
            Assert.Equal(1, ledger.PendingReports);
            Assert.Equal(default, ledger.Unreported); // in the pending report, not counted twice
            ledger.Record(Served("t", 1, 36));
            Assert.Equal(1, ledger.CutReport(Start.AddSeconds(120))); // seq 2 cut, still behind seq 1
            Assert.Equal(2, ledger.PendingReports);
        }
        Assert.Contains(_log, l => l.Contains("stays pending", StringComparison.Ordinal));
        refuse = false;
        attempts.Clear();
        using (var reopened = Open(publish: Flaky))
        {
            Assert.Equal(0, reopened.PendingReports);
            Assert.Equal([1L, 2L], attempts.Select(a => Long(JsonNode.Parse(a), "seq")));
            Assert.Equal([64L, 36L], attempts.Select(a => Long(JsonNode.Parse(a), "bytes")));
            Assert.Equal(3, reopened.NextSeq);
        }
        var handedBefore = attempts.ToList();
        attempts.Clear();
        using var again = Open(publish: Flaky);
        Assert.Empty(attempts); // cleared once handed over
        again.Record(Served("t", 1, 1));
        again.CutReport(Start.AddSeconds(180));
        Assert.Equal(3, Long(JsonNode.Parse(attempts.Single()), "seq"));
        Assert.Equal(2, handedBefore.Distinct().Count());
    }

    [Fact]
    public void ALongHandOverKeepsItsProgressWhenItStopsHalfWay()
    {
        using (var ledger = Open(new UsageLedgerOptions { MaxTokensPerReport = 1 }, publish: _ => throw new IOException("queue broken")))
        {
            for (var i = 0; i < 100; i++)
                ledger.Record(Served($"t{i:D3}", 1, 1));
            Assert.Equal(100, ledger.CutReport(Start.AddSeconds(60)));
            Assert.Equal(100, ledger.PendingReports);
        }
        var handed = new List<long>();
        void FailsAfter70(JsonObject report)
        {
            if (handed.Count == 70)
                throw new IOException("queue broken again");
            handed.Add(Long(report, "seq"));
        }
        using (var reopened = Open(publish: FailsAfter70))
            Assert.Equal(30, reopened.PendingReports);
        handed.Clear();
        using var again = Open(publish: r => handed.Add(Long(r, "seq")));
        Assert.Equal(Enumerable.Range(71, 30).Select(i => (long)i), handed);
        Assert.Equal(0, again.PendingReports);
    }

    [Fact]
    public void TornJournalTailIsCutAndEverythingBeforeItCounted()
    {
        using (var ledger = Open())
        {
            for (var i = 0; i < 5; i++)
                ledger.Record(Served($"t{i}", i, 100 + i));
        }
        var length = new FileInfo(Journal).Length;
        // A power cut in the middle of the sixth append: a header and part of its payload.
        using (var stream = new FileStream(Journal, FileMode.Append))
            stream.Write([60, 0, 0, 0, 1, 2, 3, 4, 9, 0, 0, 0, 0, 0, 0, 0, 1, 7, 7, 7]);
        using (var reopened = Open())
        {
            Assert.Equal(new UsageFigures(510, 5), reopened.Unreported);
            Assert.Equal(length, new FileInfo(Journal).Length);
            Assert.Contains(_log, l => l.Contains("torn or corrupted tail", StringComparison.Ordinal));
            reopened.Record(Served("after", 9, 1));
        }
        using var again = Open();
        Assert.Equal(new UsageFigures(511, 6), again.Unreported);
        again.CutReport(Start.AddSeconds(60));
        Assert.Equal(6, Tokens(_published.Single()).Count);
    }

    [Fact]
    public void DamagedStateRefusesToOpenChangesNothingAndCanBeSetAsideWithoutReusingASeq()
    {
        using (var ledger = Open(publish: _ => throw new IOException("offline queue broken")))
        {
            ledger.Record(Served("t", 1, 10));
            ledger.CutReport(Start.AddSeconds(60)); // seq 1 pending
            ledger.Record(Served("t", 1, 5));
        }
        var state = Path.Combine(_dir.Path, "state");
        var damaged = File.ReadAllBytes(state)[..20]; // outside damage: the file is only ever replaced whole
        File.WriteAllBytes(state, damaged);
        var journalBefore = File.ReadAllBytes(Journal);

        var refused = Assert.Throws<UsageLedgerException>(() => Open());
        Assert.Contains(state, refused.Message, StringComparison.Ordinal);
        Assert.Contains("damaged", refused.Message, StringComparison.Ordinal);
        Assert.Equal(damaged, File.ReadAllBytes(state));
        Assert.Equal(journalBefore, File.ReadAllBytes(Journal));

        var aside = UsageLedger.SetAsideDamagedState(_dir.Path, _time, _log.Enqueue);
        Assert.Equal(damaged, File.ReadAllBytes(aside));
        using var fresh = Open();
        Assert.Equal(new UsageFigures(5, 1), fresh.Unreported); // the journal still on disk counts
        Assert.True(fresh.NextSeq >= Start.ToUnixTimeMilliseconds(), $"seq {fresh.NextSeq} starts above any the damaged state can have used");
        Assert.Equal(1, fresh.CutReport(Start.AddSeconds(120)));
        Assert.Equal(fresh.NextSeq - 1, Long(_published.Single(), "seq"));
    }

    [Fact]
    public void ManyTokensAreSplitIntoSeveralReportsUnderTheCapThatAddUp()
    {
        using var ledger = Open(new UsageLedgerOptions { MaxTokensPerReport = 3 });
        for (var i = 0; i < 10; i++)
            ledger.Record(Served($"t{i:D2}", i, 1000 * (i + 1)));
        ledger.Record(Served("t00", 0, 1)); // same token and chunk: one entry
        Assert.Equal(4, ledger.CutReport(Start.AddSeconds(60)));
        Assert.Equal([1L, 2L, 3L, 4L], _published.Select(r => Long(r, "seq")));
        Assert.Equal([3, 3, 3, 1], _published.Select(r => Tokens(r).Count));
        foreach (var report in _published)
        {
            Assert.Equal(Tokens(report).Sum(t => t.Bytes), Long(report, "bytes"));
            Assert.Equal(Tokens(report).Sum(t => t.Requests), Long(report, "requests"));
            Assert.Equal((Start.ToUnixTimeSeconds(), Start.AddSeconds(60).ToUnixTimeSeconds()), (Long(report, "from"), Long(report, "to")));
        }
        Assert.Equal(55_001, _published.Sum(r => Long(r, "bytes")));
        Assert.Equal(10, _published.SelectMany(Tokens).Select(t => t.Jti).Distinct().Count());
        Assert.Equal(5, ledger.NextSeq);
    }

    [Fact]
    public void ManyThreadsRecordingWhileCutsRunLoseAndDoubleNothing()
    {
        using var ledger = Open(new UsageLedgerOptions { MaxTokensPerReport = 7 });
        const int Threads = 8, PerThread = 4000;
        var expected = new ConcurrentDictionary<string, long>();
        using var go = new ManualResetEventSlim();
        var recorders = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            go.Wait();
            var random = new Random(t);
            for (var i = 0; i < PerThread; i++)
            {
                var jti = $"j{random.Next(40)}";
                var bytes = random.Next(1, 1 << 20);
                ledger.Record(new ServedRequest(jti, Chunk(random.Next(3)), bytes, Start));
                expected.AddOrUpdate(jti, bytes, (_, sum) => sum + bytes);
            }
        })).ToList();
        recorders.ForEach(r => r.Start());
        go.Set();
        var cuts = 0;
        while (recorders.Any(r => r.IsAlive))
        {
            ledger.CutReport(Start.AddSeconds(++cuts));
            Thread.Yield();
        }
        recorders.ForEach(r => r.Join());
        ledger.CutReport(Start.AddSeconds(++cuts));
        Assert.Equal(default, ledger.Unreported);
        var seqs = _published.Select(r => Long(r, "seq")).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
        var reported = _published.SelectMany(Tokens).GroupBy(t => t.Jti).ToDictionary(g => g.Key, g => g.Sum(t => t.Bytes));
        Assert.Equal(expected.OrderBy(p => p.Key), reported.OrderBy(p => p.Key));
        Assert.Equal(Threads * PerThread, _published.Sum(r => Long(r, "requests")));
        Assert.Equal(new UsageFigures(expected.Values.Sum(), Threads * PerThread), ledger.Lifetime);
    }

    [Fact]
    public void JournalIsFsyncedAboutOnceASecondWhileServingAndNeverWhileIdle()
    {
        using var ledger = Open();
        for (var i = 0; i < 500; i++)
            ledger.Record(Served("t", 1, 1));
        Assert.Equal(0, ledger.JournalSyncs); // batched, not per request
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, ledger.JournalSyncs);
        _time.Advance(TimeSpan.FromMinutes(10)); // idle
        Assert.Equal(1, ledger.JournalSyncs);
        ledger.Flush(); // nothing unsynced: no fsync
        Assert.Equal(1, ledger.JournalSyncs);
        // Serving steadily for 10 s: one fsync per second, not one per request.
        for (var s = 0; s < 10; s++)
        {
            for (var i = 0; i < 100; i++)
                ledger.Record(Served("t", 1, 1));
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(11, ledger.JournalSyncs);
        ledger.Record(Served("t", 1, 1));
        ledger.Flush(); // clean stop syncs what is unsynced
        Assert.Equal(12, ledger.JournalSyncs);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(12, ledger.JournalSyncs);
    }

    [Fact]
    public void AClockSteppedBackNeverGivesAnIntervalEndingBeforeItBegins()
    {
        using var ledger = Open();
        ledger.Record(Served("t", 1, 1));
        ledger.CutReport(Start.AddHours(1));
        ledger.Record(Served("t", 1, 1));
        ledger.CutReport(Start.AddMinutes(5)); // NTP stepped the clock back
        Assert.Equal(Long(_published[1], "from"), Long(_published[1], "to"));
        Assert.Equal(Start.AddHours(1).ToUnixTimeSeconds(), Long(_published[1], "from"));
    }

    [Fact]
    public void RecordAfterCloseIsSaidAndNeverThrows()
    {
        var ledger = Open();
        ledger.Dispose();
        ledger.Record(Served("late", 1, 5));
        Assert.Equal(1, ledger.Unjournaled);
        Assert.Contains(_log, l => l.Contains("closed", StringComparison.Ordinal));
        Assert.Throws<ObjectDisposedException>(() => ledger.CutReport(Start));
    }

    public void Dispose() => _dir.Dispose();
}
