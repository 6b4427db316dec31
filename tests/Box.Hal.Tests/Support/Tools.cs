using System.Diagnostics;

namespace Box.Hal.Tests.Support;

/// <summary>Runs the real filesystem tools (e2fsprogs, dosfstools, exfatprogs, util-linux).</summary>
public static class Tools
{
    private static readonly string[] Dirs = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    public static string Find(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(Dirs))
        {
            string p = Path.Combine(dir, tool);
            if (dir.Length > 0 && File.Exists(p))
                return p;
        }
        Assert.Fail($"{tool} is not installed (scripts/bootstrap installs e2fsprogs, dosfstools, exfatprogs)");
        return "";
    }

    /// <summary>Runs the tool, failing the test with its output when it exits non-zero; returns stdout.</summary>
    public static string Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(Find(tool)) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill();
            Assert.Fail($"{tool} timed out");
        }
        if (p.ExitCode != 0)
            Assert.Fail($"{tool} {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>A zero-filled file of <paramref name="bytes"/> (sparse).</summary>
    public static string Blank(string path, long bytes)
    {
        using var f = new FileStream(path, FileMode.Create);
        f.SetLength(bytes);
        return path;
    }
}
