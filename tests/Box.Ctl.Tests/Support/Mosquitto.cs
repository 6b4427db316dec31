using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Box.Ctl.Tests.Support;

/// <summary>A real mosquitto on a free loopback port, for the whole "broker"
/// test collection; killed at the end.</summary>
public sealed class Mosquitto : IDisposable
{
    readonly Process process;
    readonly string dir;

    public Mosquitto() : this(_ => "")
    {
    }

    /// <param name="listenerOptions">Extra lines for the listener (TLS
    /// files), given the broker's temp directory to put them in.</param>
    internal Mosquitto(Func<string, string> listenerOptions)
    {
        dir = Directory.CreateTempSubdirectory("boxctl-mosquitto-").FullName;
        Port = FreePort();
        string conf = Path.Combine(dir, "mosquitto.conf");
        File.WriteAllText(conf, $"per_listener_settings false\nallow_anonymous true\npersistence false\nlistener {Port} 127.0.0.1\n{listenerOptions(dir)}");
        string binary = File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
        process = Process.Start(new ProcessStartInfo(binary, ["-c", conf])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("mosquitto did not start");
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (process.HasExited)
            {
                process.WaitForExit(); // drains the output handlers
                throw new InvalidOperationException($"mosquitto exited with {process.ExitCode}: {log}");
            }
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, Port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                Thread.Sleep(50);
            }
        }
    }

    readonly System.Text.StringBuilder log = new();

    void Log(string? line)
    {
        if (line is null)
            return;
        lock (log)
            log.AppendLine(line);
    }

    public int Port { get; }
    public string Url => $"mqtt://127.0.0.1:{Port}";

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        finally
        {
            process.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }
}

[CollectionDefinition("broker")]
public sealed class BrokerCollection : ICollectionFixture<Mosquitto>;
