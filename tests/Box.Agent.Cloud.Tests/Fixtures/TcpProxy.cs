using System.Net;
using System.Net.Sockets;

namespace Box.Agent.Cloud.Tests.Fixtures;

/// <summary>A loopback TCP relay between the link and the broker, so a test
/// can cut connections abruptly (RST, no MQTT DISCONNECT: the broker sends
/// the last will) or refuse them for a while.</summary>
public sealed class TcpProxy : IAsyncDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly int _target;
    readonly CancellationTokenSource _stop = new();
    readonly List<Socket> _open = [];
    readonly Task _accepting;
    int _accepted;

    /// <summary>When true, new connections are accepted and closed at once.</summary>
    public volatile bool Refuse;

    public TcpProxy(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptLoopAsync();
    }

    public int Port { get; }
    public Uri Url => new($"mqtt://127.0.0.1:{Port}");
    public int Accepted => Volatile.Read(ref _accepted);

    async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket inbound;
            try
            {
                inbound = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            if (Refuse)
            {
                Abort(inbound);
                continue;
            }
            var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await outbound.ConnectAsync(IPAddress.Loopback, _target);
            }
            catch (SocketException)
            {
                Abort(inbound);
                outbound.Dispose();
                continue;
            }
            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }
            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer);
                if (read == 0)
                    break;
                await to.SendAsync(buffer.AsMemory(0, read));
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception)
        {
            Abort(to);
        }
    }

    /// <summary>Resets every relayed connection (both sides see a broken socket).</summary>
    public void DropAll()
    {
        lock (_open)
        {
            foreach (var socket in _open)
                Abort(socket);
            _open.Clear();
        }
    }

    static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0); // RST on close
            socket.Close();
        }
        catch (Exception)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropAll();
        try
        {
            await _accepting;
        }
        catch (Exception)
        {
        }
        _stop.Dispose();
    }
}
