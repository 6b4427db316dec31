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

    public Mosquitto()
    {
        dir = Directory.CreateTempSubdirectory("boxctl-mosquitto-").FullName;
        Port = FreePort();
        string conf = Path.Combine(dir, "mosquitto.conf");
        File.WriteAllText(conf, $"listener {Port} 127.0.0.1\nallow_anonymous true\npersistence false\n");
        string binary = File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
        process = Process.Start(new ProcessStartInfo(binary, ["-c", conf])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("mosquitto did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"mosquitto exited with {process.ExitCode}");
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
