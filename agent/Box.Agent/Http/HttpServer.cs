using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Box.Agent.Http;

/// <summary>A small HTTP/1.1 server on raw sockets for GET and HEAD: the LAN
/// status pages and the chunk server share it. No Kestrel: it would cost
/// megabytes on a 3 W box, and serving chunks needs sendfile(2), byte
/// accounting and limits under our control. Requests are parsed strictly
/// (see <see cref="HttpRequestParser"/>) and every resource a client can tie
/// up is bounded by <see cref="HttpServerLimits"/>.</summary>
public sealed class HttpServer : IAsyncDisposable
{
    private readonly IPEndPoint _bind;
    private readonly IHttpHandler _handler;
    private readonly Action<string>? _log;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<HttpConnection, Task> _connections = new();
    private readonly AddressConnectionLimiter _perAddress = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private int _state; // 0 new, 1 started, 2 stopped

    private const int SolSocket = 1;   // Linux SOL_SOCKET
    private const int SoReuseAddr = 2; // Linux SO_REUSEADDR

    /// <param name="bind">Address and port to listen on; port 0 picks a free
    /// port (see <see cref="LocalEndPoint"/>).</param>
    /// <param name="handler">Answers requests, usually an <see cref="HttpRouter"/>.</param>
    /// <param name="limits">Bounds; null means the defaults.</param>
    /// <param name="log">One line per refused request, failed handler or accept error.</param>
    /// <param name="time">Clock for Date headers and timeouts.</param>
    public HttpServer(IPEndPoint bind, IHttpHandler handler, HttpServerLimits? limits = null, Action<string>? log = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(bind);
        ArgumentNullException.ThrowIfNull(handler);
        Limits = limits ?? new HttpServerLimits();
        Limits.Validate();
        _bind = bind;
        _handler = handler;
        _log = log;
        _time = time ?? TimeProvider.System;
    }

    public HttpServerLimits Limits { get; }

    public HttpServerCounters Counters { get; } = new();

    /// <summary>The address actually listened on (after <see cref="StartAsync"/>).</summary>
    public IPEndPoint LocalEndPoint =>
        _listener?.LocalEndPoint as IPEndPoint ?? throw new InvalidOperationException("HTTP server not started");

    /// <summary>Binds, listens and starts accepting in the background. Throws
    /// <see cref="HttpServerException"/> naming the address when it cannot listen.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
            throw new InvalidOperationException("HTTP server already started");
        var listener = new Socket(_bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (_bind.AddressFamily == AddressFamily.InterNetworkV6 && _bind.Address.Equals(IPAddress.IPv6Any))
                listener.DualMode = true;
            // Rebind right after a restart despite connections in TIME_WAIT.
            // Raw SO_REUSEADDR: SocketOptionName.ReuseAddress also sets
            // SO_REUSEPORT on Linux, which would let a second process share the port.
            if (OperatingSystem.IsLinux())
                listener.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
            listener.Bind(_bind);
            listener.Listen(Limits.ListenBacklog);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new HttpServerException($"cannot listen on {_bind}: {e.Message}", e);
        }
        _listener = listener;
        _acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops accepting, aborts open connections and waits for them to end.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
            return;
        await _stop.CancelAsync();
        _listener?.Dispose();
        if (_acceptLoop is not null)
            await _acceptLoop.WaitAsync(cancellationToken);
        await Task.WhenAll(_connections.Values).WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener!.AcceptAsync(token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Typically EMFILE/ENFILE: back off instead of spinning.
                _log?.Invoke($"accept failed: {e.Message}");
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), _time, token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            client.NoDelay = true;
            var address = client.RemoteEndPoint is IPEndPoint remote ? ClientAddressKey.Of(remote.Address) : default;
            if (!_perAddress.TryAcquire(address, Limits.MaxConnectionsPerAddress))
            {
                Counters.AddRefusedPerAddress();
                RefuseNow(client);
                continue;
            }
            if (!Counters.TryOpenConnection(Limits.MaxConnections))
            {
                _perAddress.Release(address);
                Counters.AddRejected();
                _ = RejectAsync(client);
                continue;
            }
            var connection = new HttpConnection(client, Limits, Counters, _handler, _log, _time, token) { Address = address };
            var task = Task.Run(connection.RunAsync, CancellationToken.None);
            _connections[connection] = task;
            _ = task.ContinueWith(static (_, state) =>
                {
                    var (server, ended) = ((HttpServer, HttpConnection))state!;
                    server._perAddress.Release(ended.Address);
                    server._connections.TryRemove(ended, out var _);
                }, (this, connection),
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Open connections from <paramref name="address"/>'s address (its IPv6 /64).</summary>
    public int OpenConnectionsFrom(IPAddress address) => _perAddress.OpenFrom(ClientAddressKey.Of(address));

    /// <summary>Turns away a connection over its address's limit without
    /// spending anything on it: one non-blocking write of a 503 into the
    /// fresh (empty) send buffer, then close. No drain, unlike
    /// <see cref="RejectAsync"/>: that address is flooding us, and if its
    /// request already arrived the close may reset the answer away.</summary>
    private void RefuseNow(Socket client)
    {
        try
        {
            client.Blocking = false;
            client.Send(HttpResponse.FormatHead(503, "text/plain; charset=utf-8", TooManyFromAddress.Length, "close",
                [new("Retry-After", "5")], _time.GetUtcNow(), TooManyFromAddress), SocketFlags.None, out _);
            client.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private static readonly byte[] TooManyFromAddress = "503 Service Unavailable: too many connections from your address\n"u8.ToArray();

    /// <summary>Answers 503 without reading the request, then closes after a
    /// short drain (so the kernel does not reset the answer away).</summary>
    private async Task RejectAsync(Socket client)
    {
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1), _time);
            using var stop = _stop.Token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
            var body = "503 Service Unavailable: too many connections\n"u8;
            var answer = HttpResponse.FormatHead(503, "text/plain; charset=utf-8", body.Length, "close",
                [new("Retry-After", "1")], _time.GetUtcNow(), body);
            await client.SendAsync(answer, SocketFlags.None, deadline.Token);
            client.Shutdown(SocketShutdown.Send);
            var sink = new byte[1024];
            for (int i = 0; i < 8 && await client.ReceiveAsync(sink, SocketFlags.None, deadline.Token) > 0; i++)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }
}
