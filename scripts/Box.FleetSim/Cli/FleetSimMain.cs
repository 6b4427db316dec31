using System.Globalization;
using System.Runtime.InteropServices;
using Box.Agent.Cloud.Queue;
using Box.FleetSim.Fleet;
using Box.FleetSim.Measure;
using Box.FleetSim.Native;
using Box.Protocol.Topics;

namespace Box.FleetSim.Cli;

/// <summary>The box-fleetsim command line: the fleet itself (<c>run</c>, the
/// default) and the measuring clients the benchmarks use.</summary>
public static class FleetSimMain
{
    public const string Usage = """
        box-fleetsim [run] --broker URL --count N [--prefix box/{id}/] [--id-format sim-{n:00000}] [--first 1]
                           [--dir DIR] [--ramp PER_SECOND] [--http|--no-http] [--telemetry S] [--stats-interval S] [--log]
        box-fleetsim observe --broker URL --expect N [--prefix box/{id}/] [--phases 1|2] [--timeout S]
        box-fleetsim bare    --broker URL --count N [--prefix bare/{id}/] [--parallel P] [--hold S]
        box-fleetsim rtt     --broker URL --id ID [--prefix box/{id}/] [--count 2000] [--warmup 100] [--no-echo]
        box-fleetsim fill-queue --data DIR --count N [--id ID] [--max-messages M] [--max-bytes B]
        """;

    /// <summary>Descriptors per box beyond the process's own: MQTT socket, queue
    /// segment, ack mark, reply store (measured 4.5 per box at rest with 200
    /// boxes), and headroom for a second segment and short-lived opens.</summary>
    public const int DescriptorsPerBox = 5;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            if (args.Length == 0 || args.Any(a => a is "--help" or "-h"))
                return Help(stdout);
            var mode = !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "run";
            var rest = mode == args[0] ? args[1..] : args;
            return mode switch
            {
                "run" => await RunFleetAsync(rest, stdout, stderr).ConfigureAwait(false),
                "observe" => await ObserveAsync(rest, stdout).ConfigureAwait(false),
                "bare" => await BareAsync(rest, stdout).ConfigureAwait(false),
                "rtt" => await RttAsync(rest, stdout).ConfigureAwait(false),
                "fill-queue" => await FillQueueAsync(rest, stdout).ConfigureAwait(false),
                "help" => Help(stdout),
                _ => throw new UsageException($"unknown mode '{mode}' (expected run, observe, bare, rtt or fill-queue)"),
            };
        }
        catch (Exception e) when (e is UsageException or FormatException)
        {
            stderr.WriteLine($"box-fleetsim: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stderr.WriteLine($"box-fleetsim: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }

    private static int Help(TextWriter stdout)
    {
        stdout.WriteLine(Usage);
        return 0;
    }

    /// <summary>A token cancelled by SIGINT/SIGTERM (the default action, terminating, is cancelled).</summary>
    private static (CancellationTokenSource Stop, IDisposable[] Registrations) StopOnSignals()
    {
        var stop = new CancellationTokenSource();
        void Handler(PosixSignalContext c)
        {
            c.Cancel = true;
            stop.Cancel();
        }
        return (stop, [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler)]);
    }

    private static async Task<int> RunFleetAsync(string[] rest, TextWriter stdout, TextWriter stderr)
    {
        var a = new Args("run", rest, ["--broker", "--count", "--first", "--prefix", "--id-format", "--dir", "--ramp", "--telemetry", "--stats-interval"], ["--http", "--no-http", "--log"]);
        if (a.Has("--http") && a.Has("--no-http"))
            throw new UsageException("run: --http and --no-http together");
        var options = new FleetOptions
        {
            Broker = a.Broker().ToString().TrimEnd('/'),
            Count = a.Int("--count", 0, 1, 1_000_000) is var n && n > 0 ? n : throw new UsageException("run: --count is required"),
            First = a.Int("--first", 1, 0, 100_000_000),
            Prefix = a.Prefix("box/{id}/"),
            IdFormat = a.String("--id-format") ?? "sim-{n:00000}",
            Dir = a.String("--dir") ?? Path.Combine(Path.GetTempPath(), "box-fleetsim"),
            RampPerSecond = a.Double("--ramp", 0, 0, 1_000_000),
            Http = a.Has("--http"),
            TelemetryIntervalSeconds = a.Int("--telemetry", 300, 1, 86400),
            Log = a.Has("--log") ? TextWriter.Synchronized(stderr) : null,
        };
        _ = options.IdOf(options.First); // a bad --id-format fails here, before any box is built
        var statsEvery = TimeSpan.FromSeconds(a.Double("--stats-interval", 1, 0.1, 3600));

        var needed = (ulong)options.Count * DescriptorsPerBox * (options.Http ? 2UL : 1UL) + 256;
        if (FdLimit.Raise(needed, out var problem) is not { } limit)
        {
            var fits = (FdLimit.Current.Hard - 256) / (ulong)(DescriptorsPerBox * (options.Http ? 2 : 1));
            stderr.WriteLine($"box-fleetsim: {problem}; {fits} boxes fit in one process: run several with --count {fits} --first 1, --first {fits + 1}, …");
            return 2;
        }
        var (signals, registrations) = StopOnSignals();
        using var stopping = signals;
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fleetsim: {options.Count} boxes -> {options.Broker} prefix {options.Prefix} dir {options.Dir} fd-limit {limit}"));
        var fleet = Fleet.Fleet.Start(options, signals.Token);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        var allConnectedReported = false;
        var allBuiltReported = false;
        var exit = 0;
        try
        {
            while (!signals.IsCancellationRequested)
            {
                try
                {
                    await Task.WhenAny(fleet.AllStarted, Task.Delay(statsEvery, signals.Token)).ConfigureAwait(false);
                    if (fleet.AllStarted.IsFaulted)
                        await fleet.AllStarted.ConfigureAwait(false);
                    if (fleet.AllStarted.IsCompleted)
                        await Task.Delay(statsEvery - (clock.Elapsed - last) is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero, signals.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (signals.IsCancellationRequested)
                {
                    break;
                }
                var now = clock.Elapsed;
                var (connected, connects, reconnecting) = fleet.Sample();
                var (rss, threads) = ProcessMemory.Sample();
                var started = fleet.Started;
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"t={now.TotalSeconds:0.0}s boxes={started}/{options.Count} connected={connected} connects/s={connects / (now - last).TotalSeconds:0} reconnecting={reconnecting} commands={fleet.CommandsAnswered} rss={rss / 1048576.0:0}MiB ({(started > 0 ? rss / 1024.0 / started : 0):0} KiB/box) threads={threads}"));
                if (!allBuiltReported && fleet.AllStarted.IsCompletedSuccessfully)
                {
                    allBuiltReported = true;
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fleetsim: all {options.Count} boxes built by {now.TotalSeconds:0.0} s"));
                }
                if (!allConnectedReported && connected == options.Count)
                {
                    allConnectedReported = true;
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fleetsim: all {options.Count} connected after {now.TotalSeconds:0.0} s"));
                }
                stdout.Flush();
                last = now;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            stderr.WriteLine($"box-fleetsim: starting the fleet failed: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            exit = 1;
        }
        stdout.WriteLine($"fleetsim: stopping {fleet.Started} boxes");
        stdout.Flush();
        await fleet.DisposeAsync().ConfigureAwait(false);
        foreach (var r in registrations) r.Dispose();
        stdout.WriteLine("fleetsim: stopped");
        return exit;
    }

    private static async Task<int> ObserveAsync(string[] rest, TextWriter stdout)
    {
        var a = new Args("observe", rest, ["--broker", "--expect", "--prefix", "--phases", "--timeout"]);
        var options = new ObserveOptions
        {
            Broker = a.Broker(),
            Expect = a.Int("--expect", 0, 1, 10_000_000) is var n && n > 0 ? n : throw new UsageException("observe: --expect is required"),
            Prefix = a.Prefix("box/{id}/"),
            Phases = a.Int("--phases", 1, 1, 2),
            Timeout = TimeSpan.FromSeconds(a.Int("--timeout", 300, 1, 86400)),
        };
        var (signals, registrations) = StopOnSignals();
        using var stopping = signals;
        try
        {
            var results = await new StatusObserver(options, stdout).RunAsync(signals.Token).ConfigureAwait(false);
            return results.Count == options.Phases && results.All(r => r.AllOnlineMs is not null) ? 0 : 1;
        }
        finally
        {
            foreach (var r in registrations) r.Dispose();
        }
    }

    private static async Task<int> BareAsync(string[] rest, TextWriter stdout)
    {
        var a = new Args("bare", rest, ["--broker", "--count", "--prefix", "--parallel", "--hold"]);
        var broker = a.Broker();
        var count = a.Int("--count", 0, 1, 1_000_000) is var n && n > 0 ? n : throw new UsageException("bare: --count is required");
        var prefix = a.Prefix("bare/{id}/");
        var parallel = a.Int("--parallel", 64, 1, 100_000);
        var hold = TimeSpan.FromSeconds(a.Int("--hold", 0, 0, 86400));
        if (FdLimit.Raise((ulong)count + 256, out var problem) is null)
            throw new UsageException($"bare: {problem}");
        var (signals, registrations) = StopOnSignals();
        using var stopping = signals;
        await using var clients = new BareClients(broker, count, prefix, parallel);
        var elapsed = await clients.ConnectAllAsync(signals.Token).ConfigureAwait(false);
        stdout.WriteLine(BareClients.Describe(elapsed, count));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT bare count={count} connect_ms={elapsed.TotalMilliseconds:0} rate_per_s={count / elapsed.TotalSeconds:0}"));
        stdout.Flush();
        try
        {
            await Task.Delay(hold, signals.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var r in registrations) r.Dispose();
        return 0;
    }

    private static async Task<int> RttAsync(string[] rest, TextWriter stdout)
    {
        var a = new Args("rtt", rest, ["--broker", "--id", "--prefix", "--count", "--warmup"], ["--no-echo"]);
        var broker = a.Broker();
        var id = a.Required("--id");
        var prefix = a.Prefix("box/{id}/");
        var count = a.Int("--count", 2000, 1, 10_000_000);
        var warmup = a.Int("--warmup", 100, 0, 1_000_000);
        var rtt = new RoundTrip(broker, stdout);
        var agent = await rtt.PingAgentAsync(TopicLayout.Parse(prefix).PrefixOf(id), count, warmup, CancellationToken.None).ConfigureAwait(false);
        if (!a.Has("--no-echo"))
        {
            var echo = await rtt.EchoAsync(count, warmup, CancellationToken.None).ConfigureAwait(false);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"agent/echo ratio p50 {(double)agent.Percentile(50) / Math.Max(1, echo.Percentile(50)):0.00} p99 {(double)agent.Percentile(99) / Math.Max(1, echo.Percentile(99)):0.00}"));
        }
        return 0;
    }

    private static async Task<int> FillQueueAsync(string[] rest, TextWriter stdout)
    {
        var a = new Args("fill-queue", rest, ["--data", "--count", "--id", "--max-messages", "--max-bytes"]);
        var data = a.Required("--data");
        var count = a.Int("--count", 0, 1, 100_000_000) is var n && n > 0 ? n : throw new UsageException("fill-queue: --count is required");
        var limits = new OfflineQueueLimits(a.Int("--max-messages", 10_000, 1, 1_000_000),
            a.Int("--max-bytes", 16 * 1024 * 1024, 4096, int.MaxValue));
        Directory.CreateDirectory(data);
        var (queued, bytes, droppedTelemetry, droppedEvents) = await QueueFill.FillAsync(data, a.String("--id") ?? "queue-box", count, limits).ConfigureAwait(false);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT fill-queue appended={count} queued={queued} queue_bytes_on_disk={bytes} dropped_telemetry={droppedTelemetry} dropped_events={droppedEvents}"));
        return 0;
    }
}
