using System.CommandLine;
using System.CommandLine.Invocation;
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
    public const string Description = """
        box-fleetsim: many real agents (supervisor + MQTT link + dispatcher) on simulated boards in one process,
        and the measuring clients the benchmarks use. Without a mode it runs the fleet:
          box-fleetsim [run] --broker URL --count N [options]
        Exit codes: 0 ok, 1 failed, 2 bad arguments.
        """;

    /// <summary>Descriptors per box beyond the process's own: MQTT socket, queue
    /// segment, ack mark, reply store (measured 4.5 per box at rest with 200
    /// boxes), and headroom for a second segment and short-lived opens.</summary>
    public const int DescriptorsPerBox = 5;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = CreateRootCommand(stdout, stderr);
        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // Exceptions reach the handlers below; each mode handles SIGINT/SIGTERM itself.
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        try
        {
            // Nothing asked, or `help [MODE]`: the help.
            if (args.Length == 0 || args[0] == "help")
                args = [.. args.Skip(1), "--help"];
            var parsed = root.Parse(args);
            if (parsed.Action is ParseErrorAction)
            {
                // The stray word is the problem to name, not what it left missing.
                var problem = parsed.UnmatchedTokens.Count > 0
                    ? parsed.Errors.FirstOrDefault(e => e.Message.Contains($"'{parsed.UnmatchedTokens[0]}'", StringComparison.Ordinal)) ?? parsed.Errors[0]
                    : parsed.Errors[0];
                stderr.WriteLine($"box-fleetsim: {problem.Message}");
                return 2;
            }
            return await parsed.InvokeAsync(invocation).ConfigureAwait(false);
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

    /// <summary>The modes; the root command is <c>run</c> too, so
    /// <c>box-fleetsim --broker … --count N</c> runs the fleet.</summary>
    private static RootCommand CreateRootCommand(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand(Description);
        AddRun(root, stdout, stderr);
        var run = new Command("run", "the fleet (the default mode)");
        AddRun(run, stdout, stderr);
        root.Subcommands.Add(run);
        root.Subcommands.Add(ObserveCommand(stdout));
        root.Subcommands.Add(BareCommand(stdout));
        root.Subcommands.Add(RttCommand(stdout));
        root.Subcommands.Add(FillQueueCommand(stdout));
        return root;
    }

    private static Option<string?> BrokerOption() => CliOptions.Text("--broker", "URL", "mqtt://host:port or mqtts://host:port (required)");

    private static Option<string?> PrefixOption(string fallback) =>
        CliOptions.Text("--prefix", fallback, $"topic prefix with {{id}}, ending in '/' (default {fallback})");

    private static void AddRun(Command command, TextWriter stdout, TextWriter stderr)
    {
        const string Mode = "run";
        var broker = BrokerOption();
        var count = CliOptions.Int(Mode, "--count", 1, 1_000_000, "N", "boxes (required)");
        var first = CliOptions.Int(Mode, "--first", 0, 100_000_000, "N", "number of the first box (default 1)");
        var prefix = PrefixOption("box/{id}/");
        var idFormat = CliOptions.Text("--id-format", "sim-{n:00000}", "box id from its number n (default sim-{n:00000})");
        var dir = CliOptions.Text("--dir", "DIR", "where the boxes' simulated boards and data live (default $TMPDIR/box-fleetsim)");
        var ramp = CliOptions.Double(Mode, "--ramp", 0, 1_000_000, "PER_SECOND", "boxes started per second (default 0: all at once)");
        var http = CliOptions.Flag("--http", "each box serves its status page");
        var noHttp = CliOptions.Flag("--no-http", "no status pages (the default)");
        var telemetry = CliOptions.Int(Mode, "--telemetry", 1, 86400, "S", "telemetry interval in seconds (default 300)");
        var statsInterval = CliOptions.Double(Mode, "--stats-interval", 0.1, 3600, "S", "seconds between progress lines (default 1)");
        var log = CliOptions.Flag("--log", "the agents' log lines on stderr");
        foreach (Option o in new Option[] { broker, count, first, prefix, idFormat, dir, ramp, http, noHttp, telemetry, statsInterval, log })
            command.Options.Add(o);
        command.SetAction(r =>
        {
            if (r.GetValue(http) && r.GetValue(noHttp))
                throw new UsageException("run: --http and --no-http together");
            var options = new FleetOptions
            {
                Broker = CliOptions.Broker(Mode, r.GetValue(broker)).ToString().TrimEnd('/'),
                Count = CliOptions.Required(Mode, "--count", r.GetValue(count)),
                First = r.GetValue(first) ?? 1,
                Prefix = CliOptions.Prefix(Mode, r.GetValue(prefix), "box/{id}/"),
                IdFormat = r.GetValue(idFormat) ?? "sim-{n:00000}",
                Dir = r.GetValue(dir) ?? Path.Combine(Path.GetTempPath(), "box-fleetsim"),
                RampPerSecond = r.GetValue(ramp) ?? 0,
                Http = r.GetValue(http),
                TelemetryIntervalSeconds = r.GetValue(telemetry) ?? 300,
                Log = r.GetValue(log) ? TextWriter.Synchronized(stderr) : null,
            };
            _ = options.IdOf(options.First); // a bad --id-format fails here, before any box is built
            return RunFleetAsync(options, TimeSpan.FromSeconds(r.GetValue(statsInterval) ?? 1), stdout, stderr);
        });
    }

    private static Command ObserveCommand(TextWriter stdout)
    {
        const string Mode = "observe";
        var broker = BrokerOption();
        var expect = CliOptions.Int(Mode, "--expect", 1, 10_000_000, "N", "boxes expected online (required)");
        var prefix = PrefixOption("box/{id}/");
        var phases = CliOptions.Int(Mode, "--phases", 1, 2, "1|2", "1: all online once; 2: also all back online after a broker restart (default 1)");
        var timeout = CliOptions.Int(Mode, "--timeout", 1, 86400, "S", "give up after S seconds (default 300)");
        var command = new Command(Mode, "time until the expected boxes' retained statuses say online (exit 1 if not within --timeout)")
        {
            broker, expect, prefix, phases, timeout,
        };
        command.SetAction(r => ObserveAsync(new ObserveOptions
        {
            Broker = CliOptions.Broker(Mode, r.GetValue(broker)),
            Expect = CliOptions.Required(Mode, "--expect", r.GetValue(expect)),
            Prefix = CliOptions.Prefix(Mode, r.GetValue(prefix), "box/{id}/"),
            Phases = r.GetValue(phases) ?? 1,
            Timeout = TimeSpan.FromSeconds(r.GetValue(timeout) ?? 300),
        }, stdout));
        return command;
    }

    private static Command BareCommand(TextWriter stdout)
    {
        const string Mode = "bare";
        var broker = BrokerOption();
        var count = CliOptions.Int(Mode, "--count", 1, 1_000_000, "N", "bare MQTT clients (required)");
        var prefix = PrefixOption("bare/{id}/");
        var parallel = CliOptions.Int(Mode, "--parallel", 1, 100_000, "P", "connects in flight (default 64)");
        var hold = CliOptions.Int(Mode, "--hold", 0, 86400, "S", "stay connected S seconds (default 0)");
        var command = new Command(Mode, "connect N bare MQTT clients, the peer of the fleet's connect rate")
        {
            broker, count, prefix, parallel, hold,
        };
        command.SetAction(r => BareAsync(CliOptions.Broker(Mode, r.GetValue(broker)), CliOptions.Required(Mode, "--count", r.GetValue(count)),
            CliOptions.Prefix(Mode, r.GetValue(prefix), "bare/{id}/"), r.GetValue(parallel) ?? 64, TimeSpan.FromSeconds(r.GetValue(hold) ?? 0), stdout));
        return command;
    }

    private static Command RttCommand(TextWriter stdout)
    {
        const string Mode = "rtt";
        var broker = BrokerOption();
        var id = CliOptions.Text("--id", "ID", "the agent to ping (required)");
        var prefix = PrefixOption("box/{id}/");
        var count = CliOptions.Int(Mode, "--count", 1, 10_000_000, "N", "pings measured (default 2000)");
        var warmup = CliOptions.Int(Mode, "--warmup", 0, 1_000_000, "N", "pings not measured first (default 100)");
        var noEcho = CliOptions.Flag("--no-echo", "skip the peer: the same round trip to a bare MQTT echo client");
        var command = new Command(Mode, "round trip of sequential ping commands to one agent, beside a bare MQTT echo")
        {
            broker, id, prefix, count, warmup, noEcho,
        };
        command.SetAction(r => RttAsync(CliOptions.Broker(Mode, r.GetValue(broker)), CliOptions.Required(Mode, "--id", r.GetValue(id)),
            CliOptions.Prefix(Mode, r.GetValue(prefix), "box/{id}/"), r.GetValue(count) ?? 2000, r.GetValue(warmup) ?? 100, !r.GetValue(noEcho), stdout));
        return command;
    }

    private static Command FillQueueCommand(TextWriter stdout)
    {
        const string Mode = "fill-queue";
        var data = CliOptions.Text("--data", "DIR", "the agent data directory holding the queue (required)");
        var count = CliOptions.Int(Mode, "--count", 1, 100_000_000, "N", "messages appended (required)");
        var id = CliOptions.Text("--id", "ID", "box id (default queue-box)");
        var maxMessages = CliOptions.Int(Mode, "--max-messages", 1, 1_000_000, "M", "queue limit in messages (default 10000)");
        var maxBytes = CliOptions.Int(Mode, "--max-bytes", 4096, int.MaxValue, "B", "queue limit in bytes (default 16 MiB)");
        var command = new Command(Mode, "fill an agent's offline queue as an outage would, through the agent's own queue code")
        {
            data, count, id, maxMessages, maxBytes,
        };
        command.SetAction(r => FillQueueAsync(CliOptions.Required(Mode, "--data", r.GetValue(data)), CliOptions.Required(Mode, "--count", r.GetValue(count)),
            r.GetValue(id) ?? "queue-box", new OfflineQueueLimits(r.GetValue(maxMessages) ?? 10_000, r.GetValue(maxBytes) ?? 16 * 1024 * 1024), stdout));
        return command;
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

    private static async Task<int> RunFleetAsync(FleetOptions options, TimeSpan statsEvery, TextWriter stdout, TextWriter stderr)
    {

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

    private static async Task<int> ObserveAsync(ObserveOptions options, TextWriter stdout)
    {
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

    private static async Task<int> BareAsync(Uri broker, int count, string prefix, int parallel, TimeSpan hold, TextWriter stdout)
    {
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

    private static async Task<int> RttAsync(Uri broker, string id, string prefix, int count, int warmup, bool withEcho, TextWriter stdout)
    {
        var rtt = new RoundTrip(broker, stdout);
        var agent = await rtt.PingAgentAsync(TopicLayout.Parse(prefix).PrefixOf(id), count, warmup, CancellationToken.None).ConfigureAwait(false);
        if (withEcho)
        {
            var echo = await rtt.EchoAsync(count, warmup, CancellationToken.None).ConfigureAwait(false);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"agent/echo ratio p50 {(double)agent.Percentile(50) / Math.Max(1, echo.Percentile(50)):0.00} p99 {(double)agent.Percentile(99) / Math.Max(1, echo.Percentile(99)):0.00}"));
        }
        return 0;
    }

    private static async Task<int> FillQueueAsync(string data, int count, string id, OfflineQueueLimits limits, TextWriter stdout)
    {
        Directory.CreateDirectory(data);
        var (queued, bytes, droppedTelemetry, droppedEvents) = await QueueFill.FillAsync(data, id, count, limits).ConfigureAwait(false);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT fill-queue appended={count} queued={queued} queue_bytes_on_disk={bytes} dropped_telemetry={droppedTelemetry} dropped_events={droppedEvents}"));
        return 0;
    }
}
