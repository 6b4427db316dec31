using Box.Platform;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Box.Agent.Tests.Support;

/// <summary>The built box-agent (the project reference puts box-agent.dll next to
/// the test assembly), run as a real process under the dotnet host. The agent
/// builds self-contained (NativeAOT.props), so its own runtimeconfig names no
/// shared framework; it runs with the test assembly's framework-dependent
/// runtimeconfig and deps file, which list the same dependencies.
/// When BOX_AGENT_BIN names a NativeAOT build (scripts/test sets it), that
/// binary runs instead, so trimming mistakes fail here and not on a device.</summary>
public sealed partial class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly ConcurrentQueue<string> _stdout = new();

    public static string AgentDll { get; } = Beside("box-agent.dll");

    private static string Beside(string file) => Path.Combine(AppContext.BaseDirectory, file);

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>The NativeAOT agent named by BOX_AGENT_BIN, or null to run the dll.</summary>
    public static string? NativeBinary { get; } =
        Environment.GetEnvironmentVariable("BOX_AGENT_BIN") is { Length: > 0 } bin && File.Exists(bin) ? bin : null;

    private AgentProcess(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(NativeBinary ?? DotnetHost)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (NativeBinary is null)
            foreach (var a in new[] { "exec", "--runtimeconfig", Beside("Box.Agent.Tests.runtimeconfig.json"), "--depsfile", Beside("Box.Agent.Tests.deps.json"), AgentDll })
                start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);
        _process = new Process { StartInfo = start };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _stderr.Enqueue(e.Data); };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _stdout.Enqueue(e.Data); };
        _process.Start();
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public static AgentProcess Start(params string[] args) => new(args);

    /// <summary>Runs to completion: (exit code, stdout lines, stderr lines).</summary>
    public static async Task<(int Code, string[] Stdout, string[] Stderr)> RunAsync(params string[] args)
    {
        using var p = Start(args);
        var code = await p.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, p.Stdout, p.Stderr);
    }

    public string[] Stderr => [.. _stderr];
    public string[] Stdout => [.. _stdout];
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    public Task<string> WaitForStderrAsync(string fragment, TimeSpan? timeout = null) =>
        Eventually.ValueAsync(() => _stderr.FirstOrDefault(l => l.Contains(fragment, StringComparison.Ordinal)),
            $"'{fragment}' on the agent's stderr (so far: {string.Join(" | ", _stderr)})", timeout ?? TimeSpan.FromSeconds(60));

    public void Signal(int signal)
    {
        if (Libc.Kill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }
}
