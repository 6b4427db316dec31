using System.Reflection;
using System.Runtime.InteropServices;

namespace Box.Agent.Hosting;

public static class VersionInfo
{
    /// <summary>The agent's version (AssemblyInformationalVersion without the
    /// source-revision suffix), e.g. "0.1.0".</summary>
    public static string Version { get; } = ReadVersion();

    /// <summary>"box-agent 0.1.0 (linux-arm64, .NET 10.0.0)", what <c>box-agent version</c> prints.</summary>
    public static string Describe() =>
        $"box-agent {Version} ({RuntimeInformation.RuntimeIdentifier}, {RuntimeInformation.FrameworkDescription})";

    private static string ReadVersion()
    {
        var info = typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(info)) return typeof(VersionInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        var plus = info.IndexOf('+');
        return plus > 0 ? info[..plus] : info;
    }
}
