using System.Collections.Concurrent;
using System.Diagnostics;

namespace Box.UsageCrash;

/// <summary>Starts the child again and again on one directory and SIGKILLs it
/// at a random point: at once (during start-up, replay or the hand-over of
/// pending reports), right after it opened, or after a random number of
/// acknowledged requests (while recording and cutting). After each kill the
/// queue is drained as the link would; at the end a clean run cuts the rest.</summary>
public static class CrashCampaign
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(60);

    public static CrashCheck Run(string dir, int iterations, int seed = 1, int threads = 2, int maxTokens = 25, Action<string>? progress = null)
    {
        var random = new Random(seed);
        var check = new CrashCheck();
        for (var run = 0; run < iterations; run++)
        {
            var point = random.Next(10);
            var target = point switch { 0 => -1, 1 => 0, _ => random.Next(1, 300) };
            using (var child = Child.Start("run", dir, run.ToString(), threads.ToString(), maxTokens.ToString()))
            {
                if (target >= 0)
                    child.WaitUntil(() => child.Ready && child.Acks >= target, $"run {run}: {target} acknowledgements");
                child.Kill();
                if (child.ExitedByItself)
                    throw new InvalidOperationException($"run {run}: the child exited before it was killed: {child.Stderr}");
                foreach (var (thread, count) in child.AckCounts(threads))
                    check.Acknowledged(run, thread, count);
                if (child.AckProblem is { } problem)
                    throw new InvalidOperationException($"run {run}: {problem}");
                // The ledger says when something went wrong (a report it could not hand over, a journal it could not write).
                foreach (var line in child.StderrLines.Where(l => l.Contains("could not", StringComparison.Ordinal) || l.Contains("cannot", StringComparison.Ordinal)))
                    check.ChildComplained($"run {run}: {line}");
            }
            check.Kills++;
            foreach (var payload in CrashChild.DrainQueue(dir))
                check.Published(payload);
            if (progress is not null && (run + 1) % 100 == 0)
                progress($"{run + 1} kills: {check.Summary}");
        }
        using (var last = Child.Start("finish", dir))
        {
            last.WaitForExit();
            if (last.ExitCode != 0)
                throw new InvalidOperationException($"final run failed ({last.ExitCode}): {last.Stderr}");
            foreach (var payload in CrashChild.DrainQueue(dir))
                check.Published(payload);
            var figures = last.Stdout.Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1..].Select(long.Parse).ToArray());
            check.Finish(figures["lifetime"][0], figures["lifetime"][1], figures["pending"][0], figures["unreported"][1]);
        }
        return check;
    }

    /// <summary>The child under the dotnet host, with its acknowledgements
    /// counted per thread as they arrive on stdout.</summary>
    private sealed class Child : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _stdout = new();
        private readonly ConcurrentQueue<string> _stderr = new();
        private readonly Dictionary<int, long> _acks = [];
        private int _ackTotal;
        private volatile bool _ready;
        private bool _killed;

        private Child(string[] args)
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "usage-crash.dll");
            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
            var start = new ProcessStartInfo(host)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "exec", "--runtimeconfig", Path.ChangeExtension(dll, ".runtimeconfig.json"), "--depsfile", Path.ChangeExtension(dll, ".deps.json"), dll })
                start.ArgumentList.Add(a);
            foreach (var a in args)
                start.ArgumentList.Add(a);
            // A child of the test host must not inherit its tiered-compilation or diagnostics settings' cost.
            start.Environment["DOTNET_TieredPGO"] = "0";
            _process = new Process { StartInfo = start };
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) OnLine(e.Data); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _stderr.Enqueue(e.Data); };
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public static Child Start(params string[] args) => new(args);

        public bool Ready => _ready;
        public int Acks => Volatile.Read(ref _ackTotal);
        public string? AckProblem { get; private set; }
        public bool ExitedByItself { get; private set; }
        public int ExitCode => _process.ExitCode;
        public string[] Stdout => [.. _stdout];
        public string Stderr => string.Join(" | ", _stderr);
        public string[] StderrLines => [.. _stderr];

        private void OnLine(string line)
        {
            if (line == "ready")
            {
                _ready = true;
                return;
            }
            if (!line.StartsWith("a ", StringComparison.Ordinal))
            {
                _stdout.Enqueue(line);
                return;
            }
            if (!CrashRecords.TryParse(line[2..], out var id))
            {
                AckProblem ??= $"unreadable acknowledgement '{line}'";
                return;
            }
            lock (_acks)
            {
                // Each thread acknowledges its requests in order.
                var expected = _acks.GetValueOrDefault(id.Thread);
                if (id.Index != expected)
                    AckProblem ??= $"thread {id.Thread} acknowledged {id.Index} after {expected - 1}";
                _acks[id.Thread] = expected + 1;
            }
            Interlocked.Increment(ref _ackTotal);
        }

        public void WaitUntil(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow + ChildTimeout;
            while (!condition())
            {
                if (_process.HasExited)
                    return; // reported by Kill
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"timed out waiting for {what} ({Stderr})");
                Thread.Sleep(1);
            }
        }

        public void Kill()
        {
            try
            {
                _process.Kill(); // SIGKILL
                _killed = true;
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            WaitForExit();
            ExitedByItself = !_killed && _process.ExitCode != 137;
        }

        /// <summary>Waits for the exit and for stdout and stderr to be read to the end.</summary>
        public void WaitForExit()
        {
            if (!_process.WaitForExit(ChildTimeout))
                throw new TimeoutException($"the child did not exit ({Stderr})");
            _process.WaitForExit();
        }

        public IEnumerable<(int Thread, long Count)> AckCounts(int threads)
        {
            lock (_acks)
                return Enumerable.Range(0, threads).Select(t => (t, _acks.GetValueOrDefault(t))).ToList();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
                _process.Kill();
            _process.Dispose();
        }
    }
}
