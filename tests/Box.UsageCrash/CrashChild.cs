using System.Diagnostics;
using System.Globalization;
using Box.Agent.Cloud.Queue;
using Box.Agent.Serving;
using Box.Agent.Usage;

namespace Box.UsageCrash;

/// <summary>The process the campaign kills. Its ledger publishes into a real
/// offline queue (fsynced appends, as the link does); it records from several
/// threads and writes <c>a {jti}</c> on stdout after each Record returns (the
/// acknowledgement), while another thread cuts reports back to back.</summary>
public static class CrashChild
{
    public const string QueueDir = "queue";
    public const string LedgerDir = "usage";

    public static UsageLedger OpenLedger(string dir, OfflineQueue queue, int maxTokens, Action<string>? log) =>
        UsageLedger.Open(Path.Combine(dir, LedgerDir),
            report => queue.Append(QueueKind.Usage, System.Text.Encoding.UTF8.GetBytes(report.ToJsonString())),
            TimeProvider.System, log, new UsageLedgerOptions { MaxTokensPerReport = maxTokens });

    /// <summary>Records until killed (or <paramref name="maxPerThread"/> each, then exits 0).</summary>
    public static int Run(string dir, int run, int threads, int maxTokens, long maxPerThread)
    {
        using var queue = OfflineQueue.Open(Path.Combine(dir, QueueDir));
        using var ledger = OpenLedger(dir, queue, maxTokens, Console.Error.WriteLine);
        var stdout = Console.Out;
        stdout.WriteLine("ready");
        var done = false;
        var recorders = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (long i = 0; i < maxPerThread; i++)
            {
                var jti = CrashRecords.Jti(run, t, i);
                ledger.Record(new ServedRequest(jti, CrashRecords.Chunk(i), CrashRecords.BytesFor(jti), DateTimeOffset.UtcNow));
                stdout.WriteLine("a " + jti);
            }
        })).ToList();
        var cutter = new Thread(() =>
        {
            var random = new Random(run);
            while (!Volatile.Read(ref done))
            {
                ledger.CutReport(DateTimeOffset.UtcNow);
                Thread.Sleep(random.Next(3));
            }
        });
        recorders.ForEach(r => r.Start());
        cutter.Start();
        recorders.ForEach(r => r.Join());
        Volatile.Write(ref done, true);
        cutter.Join();
        return 0;
    }

    /// <summary>The last run, not killed: cuts what is left and prints the
    /// ledger's figures (<c>lifetime B R</c>, <c>pending N</c>, <c>unreported B R</c>).</summary>
    public static int Finish(string dir)
    {
        using var queue = OfflineQueue.Open(Path.Combine(dir, QueueDir));
        using var ledger = OpenLedger(dir, queue, 25, Console.Error.WriteLine);
        ledger.CutReport(DateTimeOffset.UtcNow);
        Console.WriteLine($"lifetime {ledger.Lifetime.Bytes} {ledger.Lifetime.Requests}");
        Console.WriteLine($"pending {ledger.PendingReports}");
        Console.WriteLine($"unreported {ledger.Unreported.Bytes} {ledger.Unreported.Requests}");
        return 0;
    }

    /// <summary>Drains the child's queue as the cloud link would (the payloads
    /// of every usage message, in order), so it stays small between runs.</summary>
    public static List<string> DrainQueue(string dir)
    {
        var drained = new List<string>();
        using var queue = OfflineQueue.Open(Path.Combine(dir, QueueDir));
        while (queue.TryPeek(out var message))
        {
            if (message.Kind == QueueKind.Usage)
                drained.Add(System.Text.Encoding.UTF8.GetString(message.Payload));
            queue.Acknowledge(message.Id);
        }
        return drained;
    }

    /// <summary>Per-Record cost on one thread for <paramref name="seconds"/>,
    /// the journal fsyncs in that time and while idle after it, and the peer:
    /// a bare pwrite(2) of a record of the same size to a file beside it.
    /// Prints one <c>RESULT</c> line.</summary>
    public static int Bench(string dir, int seconds)
    {
        using var queue = OfflineQueue.Open(Path.Combine(dir, QueueDir));
        using var ledger = OpenLedger(dir, queue, 1000, Console.Error.WriteLine);
        var tokens = Enumerable.Range(0, 200).Select(i => $"bench-token-{i:D4}-{Guid.NewGuid():N}").ToArray();
        for (var i = 0; i < 1000; i++) // warm up: JIT, tally entries
            ledger.Record(new ServedRequest(tokens[i % tokens.Length], CrashRecords.Chunk(i), 1 << 20, DateTimeOffset.UtcNow));
        var syncsBefore = ledger.JournalSyncs;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        long records = 0;
        while (Stopwatch.GetElapsedTime(started).TotalSeconds < seconds)
        {
            for (var i = 0; i < 1000; i++, records++)
                ledger.Record(new ServedRequest(tokens[records % tokens.Length], CrashRecords.Chunk(records), 1 << 20, DateTimeOffset.UtcNow));
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var busySyncs = ledger.JournalSyncs - syncsBefore;
        var cutStarted = Stopwatch.GetTimestamp();
        var reports = ledger.CutReport(DateTimeOffset.UtcNow);
        var cutTime = Stopwatch.GetElapsedTime(cutStarted);
        // The batch written just before the cut is fsynced within a second; after that, idle: nothing may be fsynced.
        Thread.Sleep(TimeSpan.FromSeconds(1.5));
        var idleBefore = ledger.JournalSyncs;
        Thread.Sleep(TimeSpan.FromSeconds(3)); // a measurement over wall time (the tests use a fake clock)
        var idleSyncs = ledger.JournalSyncs - idleBefore;

        // Peer: the same number of bare pwrites of a same-size record (jti 50 chars: 17 + 40 + 50 bytes).
        var record = new byte[107];
        using var peer = new FileStream(Path.Combine(dir, "peer.log"), FileMode.Create, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        var peerStarted = Stopwatch.GetTimestamp();
        for (long i = 0, offset = 0; i < records; i++, offset += record.Length)
            RandomAccess.Write(peer.SafeFileHandle, record, offset);
        var peerElapsed = Stopwatch.GetElapsedTime(peerStarted);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT records={records} seconds={elapsed.TotalSeconds:0.0} record_ns={elapsed.TotalNanoseconds / records:0} pwrite_ns={peerElapsed.TotalNanoseconds / records:0} " +
            $"alloc_bytes_per_record={(double)allocated / records:0.0} fsyncs={busySyncs} fsyncs_per_s={busySyncs / elapsed.TotalSeconds:0.00} idle_fsyncs={idleSyncs} cut_ms={cutTime.TotalMilliseconds:0} reports={reports}"));
        return 0;
    }
}
