using Box.Platform;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Box.Testing;

/// <summary>TLS listener settings for <see cref="MosquittoBroker"/>.</summary>
public sealed record TlsListener(string CaFile, string CertFile, string KeyFile, bool RequireCertificate);

/// <summary>A real mosquitto on loopback ports (free ones unless given), with a
/// temp config (anonymous, no persistence), a plain listener on <see cref="Port"/>
/// and optional TLS listeners. Stop, kill, pause and restart keep the ports.</summary>
public sealed partial class MosquittoBroker : IAsyncDisposable
{
    static readonly string Binary = File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";

    readonly TempDir _dir = new("mosquitto");
    Process? _process;

    public int Port { get; }
    public IReadOnlyList<int> TlsPorts { get; }
    public Uri Url => new($"mqtt://127.0.0.1:{Port}");
    public Uri TlsUrl(int index = 0) => new($"mqtts://127.0.0.1:{TlsPorts[index]}");

    MosquittoBroker(int port, IReadOnlyList<TlsListener> tls)
    {
        Port = port == 0 ? FreePort() : port;
        TlsPorts = tls.Select(_ => FreePort()).ToList();
        var config = new StringBuilder();
        config.AppendLine("per_listener_settings false");
        // Started as root mosquitto would switch to its own user, which cannot
        // read the test's 0600 key files; the option is ignored otherwise.
        config.AppendLine("user root");
        config.AppendLine("allow_anonymous true");
        config.AppendLine("persistence false");
        config.AppendLine($"log_dest file {Path.Combine(_dir.Path, "mosquitto.log")}");
        config.AppendLine("log_type error");
        config.AppendLine("log_type warning");
        config.AppendLine("log_type notice");
        config.AppendLine("max_queued_messages 100000");
        config.AppendLine($"listener {Port} 127.0.0.1");
        for (var i = 0; i < tls.Count; i++)
        {
            config.AppendLine($"listener {TlsPorts[i]} 127.0.0.1");
            config.AppendLine($"cafile {tls[i].CaFile}");
            config.AppendLine($"certfile {tls[i].CertFile}");
            config.AppendLine($"keyfile {tls[i].KeyFile}");
            config.AppendLine($"require_certificate {(tls[i].RequireCertificate ? "true" : "false")}");
        }
        File.WriteAllText(ConfigPath, config.ToString());
    }

    string ConfigPath => Path.Combine(_dir.Path, "mosquitto.conf");

    public string LogText => File.Exists(Path.Combine(_dir.Path, "mosquitto.log")) ? File.ReadAllText(Path.Combine(_dir.Path, "mosquitto.log")) : "";

    /// <summary>Starts on free ports: a plain listener and one per TLS listener.</summary>
    public static Task<MosquittoBroker> StartAsync(params TlsListener[] tls) => StartAsync(0, tls);

    /// <summary>Starts with the plain listener on <paramref name="port"/> (a free one
    /// when 0), e.g. again on the port of a broker that was killed.</summary>
    public static async Task<MosquittoBroker> StartAsync(int port, params TlsListener[] tls)
    {
        for (var attempt = 0; ; attempt++)
        {
            var broker = new MosquittoBroker(port, tls);
            try
            {
                await broker.RestartAsync();
                return broker;
            }
            catch (Exception) when (attempt < 3)
            {
                // Another process may have taken a port between probe and bind.
                await broker.DisposeAsync();
            }
        }
    }

    /// <summary>Starts (again) on the same ports and waits until they accept.</summary>
    public async Task RestartAsync()
    {
        if (_process is { HasExited: false })
            throw new InvalidOperationException("mosquitto is already running");
        var info = new ProcessStartInfo(Binary, ["-c", ConfigPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        foreach (var port in TlsPorts.Prepend(Port))
        {
            while (!await AcceptsAsync(port))
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"mosquitto exited with {process.ExitCode}: {LogText}");
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"mosquitto does not accept on {port}: {LogText}");
                await Task.Delay(20);
            }
        }
    }

    static async Task<bool> AcceptsAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM and wait for exit.</summary>
    public Task StopAsync() => SignalAndWaitAsync(15);

    /// <summary>SIGKILL and wait for exit.</summary>
    public Task KillAsync() => SignalAndWaitAsync(9);

    /// <summary>SIGSTOP: connections stay open but nothing answers (half-open).</summary>
    public void Pause() => Signal(19);

    public void Resume() => Signal(18);

    void Signal(int signal)
    {
        if (_process is { HasExited: false } process)
            _ = Libc.Kill(process.Id, signal);
    }

    async Task SignalAndWaitAsync(int signal)
    {
        if (_process is not { HasExited: false } process)
            return;
        Resume();
        _ = Libc.Kill(process.Id, signal);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(timeout.Token);
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (Exception)
        {
        }
        _process?.Dispose();
        _dir.Dispose();
    }
}
