using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Box.Agent.Tests.Support;

/// <summary>A real mosquitto on a free loopback port (anonymous, no persistence).</summary>
public sealed class Mosquitto : IAsyncDisposable
{
    private readonly TempDir _dir = new();
    private readonly Process _process;

    public int Port { get; }
    public string Url => $"mqtt://127.0.0.1:{Port}";

    private Mosquitto(int port)
    {
        Port = port;
        var config = _dir.Combine("mosquitto.conf");
        File.WriteAllText(config, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nuser root\n");
        _process = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("mosquitto did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts on <paramref name="port"/> (a free one when 0), e.g. again on
    /// the port of a broker that was killed, to simulate a broker restart.</summary>
    public static async Task<Mosquitto> StartAsync(int port = 0)
    {
        if (port == 0)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
        }
        var broker = new Mosquitto(port);
        await Eventually.TrueAsync(() =>
        {
            if (broker._process.HasExited) throw new InvalidOperationException($"mosquitto exited with {broker._process.ExitCode}");
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try { socket.Connect(IPAddress.Loopback, port); return true; }
            catch (SocketException) { return false; }
        }, $"mosquitto listening on {port}");
        return broker;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _dir.Dispose();
    }
}
