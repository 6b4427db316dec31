using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Box.Store;

namespace Box.StoreBench;

/// <summary>
/// The chunk store at scale, one phase per process so each phase's RSS is its own:
///   fill M N           N tiny chunk files straight into M/box-store/chunks (no rows)
///   rebuild M          open without an index: rebuild from the files, then a clean close
///   serve M N SECONDS  clean open → first chunk served, then random OpenRead for SECONDS
///   crash M N          open, commit 100 new chunks, exit without closing (a power cut for the index)
///   reconcile M        open after that unclean stop, time until reconcile is done
/// Prints "name value" lines for scripts/bench.d/store-index.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: box-storebench fill|rebuild|serve|crash|reconcile MOUNT [N] [SECONDS]");
            return 2;
        }
        string mount = args[1];
        int count = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 0;
        switch (args[0])
        {
            case "fill": Fill(mount, count); break;
            case "rebuild": Rebuild(mount); break;
            case "serve": Serve(mount, count, double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture)); break;
            case "crash": Crash(mount, count); break;
            case "reconcile": Reconcile(mount); break;
            default: Console.Error.WriteLine($"unknown phase {args[0]}"); return 2;
        }
        return 0;
    }

    private static readonly StoreOptions Options = new() { QuotaBytes = 1L << 40, Log = line => Console.Error.WriteLine(line) };

    private static byte[] Content(int i) => Encoding.ASCII.GetBytes($"bench-chunk-{i}");

    private static ChunkHash Hash(int i) => ChunkHash.Of(Content(i));

    private static void Fill(string mount, int count)
    {
        var clock = Stopwatch.StartNew();
        var layout = new StoreLayout(mount);
        for (int shard = 0; shard < 256; shard++)
            Directory.CreateDirectory(layout.ShardDirectory((byte)shard));
        for (int i = 0; i < count; i++)
            File.WriteAllBytes(layout.ChunkPath(Hash(i)), Content(i));
        Print("fill_seconds", clock.Elapsed.TotalSeconds);
    }

    private static void Rebuild(string mount)
    {
        var clock = Stopwatch.StartNew();
        using (var store = ChunkStore.Open(mount, "bench-box", Options))
        {
            WaitReconciled(store);
            Print("rebuild_seconds", clock.Elapsed.TotalSeconds);
            Print("rebuild_adopted", store.Figures.LastReconcile!.Adopted);
            PrintMemory("rebuild");
        }
        Print("rebuild_close_seconds", clock.Elapsed.TotalSeconds);
    }

    private static void Serve(string mount, int count, double seconds)
    {
        var clock = Stopwatch.StartNew();
        using var store = ChunkStore.Open(mount, "bench-box", Options);
        var first = store.OpenRead(Hash(0));
        if (first.Status != ChunkReadStatus.Found)
            throw new InvalidOperationException($"chunk 0: {first.Status}");
        first.File!.Dispose();
        Print("open_to_serving_ms", clock.Elapsed.TotalMilliseconds);
        Print("clean_open_state", store.Figures.Reconcile.ToString());
        Print("chunks", store.Figures.Chunks);

        // Two readers (the machine has two cores), random chunks, open + fstat + close.
        long lookups = 0, missing = 0;
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var readers = Enumerable.Range(0, 2).Select(r => Task.Factory.StartNew(() =>
        {
            var random = new Random(r);
            long n = 0, miss = 0;
            while (Stopwatch.GetTimestamp() < until)
            {
                for (int k = 0; k < 100; k++)
                {
                    var read = store.OpenRead(Hash(random.Next(count)));
                    if (read.Status == ChunkReadStatus.Found)
                        read.File!.Dispose();
                    else
                        miss++;
                    n++;
                    store.NoteServed(Hash(k), 16, DateTimeOffset.UtcNow);
                }
            }
            Interlocked.Add(ref lookups, n);
            Interlocked.Add(ref missing, miss);
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(readers);
        Print("lookups_per_second", lookups / seconds);
        Print("lookups_missing", missing);
        store.FlushServed();
        PrintMemory("serve");
        Print("index_bytes", new FileInfo(store.Layout.IndexFile).Length);
        Print("index_log_bytes", new FileInfo(store.Layout.IndexLogFile).Length);
    }

    private static void Crash(string mount, int count)
    {
        var store = ChunkStore.Open(mount, "bench-box", Options);
        var clock = Stopwatch.StartNew();
        for (int i = count; i < count + 100; i++)
        {
            var content = Content(i);
            var slot = store.ReserveIngest(ChunkHash.Of(content), content.Length, false);
            File.WriteAllBytes(slot.TempPath, content);
            store.Commit(slot);
        }
        Print("commit_ms_each", clock.Elapsed.TotalMilliseconds / 100);
        File.WriteAllBytes(Path.Combine(store.Layout.Temp, "left-over.part"), [1, 2, 3]);
        Environment.Exit(0); // no Close: no marker, index as a power cut leaves it (minus the page cache)
    }

    private static void Reconcile(string mount)
    {
        var clock = Stopwatch.StartNew();
        using var store = ChunkStore.Open(mount, "bench-box", Options);
        var first = store.OpenRead(Hash(0));
        first.File?.Dispose();
        Print("unclean_open_to_serving_ms", clock.Elapsed.TotalMilliseconds);
        WaitReconciled(store);
        Print("reconcile_seconds", clock.Elapsed.TotalSeconds);
        var r = store.Figures.LastReconcile!;
        Print("reconcile_report", $"temp={r.TempRemoved} adopted={r.Adopted} rejected={r.Rejected} dropped={r.Dropped} ms={r.DurationMs}");
        PrintMemory("reconcile");
    }

    private static void WaitReconciled(ChunkStore store)
    {
        while (store.Figures.Reconcile is ReconcileState.Running or ReconcileState.Rebuilding)
            Thread.Sleep(100);
        if (store.Figures.Reconcile != ReconcileState.Done)
            throw new InvalidOperationException($"reconcile ended {store.Figures.Reconcile}");
    }

    private static void PrintMemory(string phase)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                Print($"{phase}_rss_kib", long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                Print($"{phase}_peak_rss_kib", long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static void Print(string name, object value) =>
        Console.WriteLine(FormattableString.Invariant($"{name} {(value is double d ? d.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : value)}"));
}
