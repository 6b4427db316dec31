using System.Globalization;
using Box.UsageCrash;

// usage-crash run DIR RUN THREADS MAXTOKENS      the child (records until killed)
// usage-crash finish DIR                         the last, clean run
// usage-crash campaign DIR ITERATIONS [SEED]     kills and checks; exit 0 when nothing was lost or doubled
// usage-crash drain DIR                          prints (and acknowledges) the usage reports queued
// usage-crash bench DIR SECONDS                  per-Record cost on one thread, fsyncs, peer pwrite
static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

return args switch
{
    ["run", var dir, var run, var threads, var maxTokens] => CrashChild.Run(dir, Int(run), Int(threads), Int(maxTokens), maxPerThread: 1_000_000),
    ["finish", var dir] => CrashChild.Finish(dir),
    ["campaign", var dir, var iterations, ..var rest] => Campaign(dir, Int(iterations), rest.Length > 0 ? Int(rest[0]) : 1),
    ["drain", var dir] => Drain(dir),
    ["bench", var dir, var seconds] => CrashChild.Bench(dir, Int(seconds)),
    _ => Usage(),
};

static int Campaign(string dir, int iterations, int seed)
{
    var started = DateTime.UtcNow;
    var check = CrashCampaign.Run(dir, iterations, seed, progress: Console.Error.WriteLine);
    Console.WriteLine(check.Summary);
    Console.WriteLine($"seconds {(DateTime.UtcNow - started).TotalSeconds:0}");
    foreach (var problem in check.Problems)
        Console.WriteLine("problem: " + problem);
    return check.Ok ? 0 : 1;
}

static int Drain(string dir)
{
    foreach (var payload in CrashChild.DrainQueue(dir))
        Console.WriteLine(payload.Length > 120 ? payload[..120] + "…" : payload);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: usage-crash run DIR RUN THREADS MAXTOKENS | finish DIR | campaign DIR ITERATIONS [SEED] | bench DIR SECONDS");
    return 2;
}
