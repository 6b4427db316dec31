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

    /// <summary>Per-Record cost and fsync count on one thread: <c>ns/record</c>.</summary>
    public static int Bench(string dir, int records)
    {
        using var queue = OfflineQueue.Open(Path.Combine(dir, QueueDir));
        using var ledger = OpenLedger(dir, queue, 1000, Console.Error.WriteLine);
        var tokens = Enumerable.Range(0, 200).Select(i => $"bench-token-{i:D4}-{Guid.NewGuid():N}").ToArray();
        for (var i = 0; i < 1000; i++) // warm up: JIT, tally entries
            ledger.Record(new ServedRequest(tokens[i % tokens.Length], CrashRecords.Chunk(i), 1 << 20, DateTimeOffset.UtcNow));
        var syncsBefore = ledger.JournalSyncs;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < records; i++)
            ledger.Record(new ServedRequest(tokens[i % tokens.Length], CrashRecords.Chunk(i), 1 << 20, DateTimeOffset.UtcNow));
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var cut = System.Diagnostics.Stopwatch.GetTimestamp();
        var reports = ledger.CutReport(DateTimeOffset.UtcNow);
        var cutTime = System.Diagnostics.Stopwatch.GetElapsedTime(cut);
        Console.WriteLine($"records {records} seconds {elapsed.TotalSeconds:0.000} ns/record {elapsed.TotalNanoseconds / records:0} bytes-allocated/record {(double)allocated / records:0.0} fsyncs {ledger.JournalSyncs - syncsBefore} cut-ms {cutTime.TotalMilliseconds:0.0} reports {reports}");
        return 0;
    }
}
