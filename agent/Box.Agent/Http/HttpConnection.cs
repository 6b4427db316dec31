using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Box.Agent.Http;

/// <summary>One accepted TCP connection: reads request heads under the
/// limits, hands each request to the handler, writes responses in order
/// (pipelined requests are answered one after another), and closes on error,
/// timeout, "Connection: close" or server stop.</summary>
internal sealed class HttpConnection
{
    private const int InitialBufferSize = 4096;
    private const int FileSliceBytes = 1024 * 1024;
    private static readonly TimeSpan LingerTimeout = TimeSpan.FromSeconds(2);
    private const int LingerMaxBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly HttpServerLimits _limits;
    private readonly HttpServerCounters _counters;
    private readonly IHttpHandler _handler;
    private readonly Action<string>? _log;
    private readonly TimeProvider _time;
    private readonly CancellationToken _stopToken;
    private readonly IPEndPoint? _remote;
    // One deadline at a time: idle wait, header read, a write, or the linger.
    private readonly CancellationTokenSource _deadline;
    private readonly int _maxBufferSize;
    private byte[] _buffer;
    private byte[] _headBuffer = new byte[512];
    private SocketAsyncEventArgs? _sendPackets;
    private TaskCompletionSource? _sendPacketsDone;
    private int _start;
    private int _end;

    public HttpConnection(Socket socket, HttpServerLimits limits, HttpServerCounters counters, IHttpHandler handler,
        Action<string>? log, TimeProvider time, CancellationToken stopToken)
    {
        _socket = socket;
        _limits = limits;
        _counters = counters;
        _handler = handler;
        _log = log;
        _time = time;
        _stopToken = stopToken;
        _remote = socket.RemoteEndPoint as IPEndPoint;
        _deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _maxBufferSize = limits.MaxRequestLineBytes + limits.MaxHeaderBytes + 8;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferSize, _maxBufferSize));
    }

    /// <summary>Bytes written on this connection.</summary>
    public long BytesSent { get; private set; }

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>The peer's address as counted by the per-address limit.</summary>
    public ClientAddressKey Address { get; init; }

    /// <summary>See <see cref="HttpResponse.ConnectionState"/>.</summary>
    public object? State { get; set; }

    /// <summary>Formats a response head into this connection's reusable
    /// buffer (valid until the next head; responses go out one at a time).</summary>
    public ReadOnlyMemory<byte> FormatHead(int statusCode, string? contentType, long contentLength, string? connection,
        IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body)
    {
        int length = ResponseHeadWriter.Write(ref _headBuffer, statusCode, contentType, contentLength, connection, headers, Now, body);
        return _headBuffer.AsMemory(0, length);
    }

    public async Task RunAsync()
    {
        bool linger = false;
        var stopRegistration = _stopToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _deadline);
        try
        {
            int served = 0;
            while (true)
            {
                HttpRequest? request;
                try
                {
                    request = await ReadRequestAsync();
                }
                catch (HttpParseException e)
                {
                    _counters.AddBadRequest();
                    _log?.Invoke($"{_remote}: {e.StatusCode} {e.Message}");
                    linger = true;
                    await SendErrorAsync(e.StatusCode, e.Message);
                    return;
                }
                if (request is null)
                    return;
                request.RemoteEndPoint = _remote;
                _counters.AddRequest();
                served++;
                var response = new HttpResponse(this, request,
                    closeConnection: !request.KeepAlive || served >= _limits.MaxRequestsPerConnection || _stopToken.IsCancellationRequested);
                await HandleAsync(request, response);
                if (response.CloseConnection)
                {
                    linger = true;
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // Peer gone, a deadline passed, or the server is stopping.
        }
        catch (Exception e)
        {
            _log?.Invoke($"{_remote}: connection failed: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            await CloseAsync(linger);
            _counters.CloseConnection();
            // Unregister first (waits for a running stop callback), so stopping
            // never cancels a disposed source.
            await stopRegistration.DisposeAsync();
            _deadline.Dispose();
            _sendPackets?.Dispose();
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }

    private async Task HandleAsync(HttpRequest request, HttpResponse response)
    {
        try
        {
            await _handler.HandleAsync(request, response, _stopToken);
        }
        catch (Exception e) when (e is not (OperationCanceledException or SocketException or IOException or ObjectDisposedException))
        {
            _log?.Invoke($"{request.Method} {request.Path}: handler failed: {e.GetType().Name}: {e.Message}");
            if (response.HasStarted)
            {
                // Part of a body may be out; the only honest signal left is closing.
                response.CloseConnection = true;
                return;
            }
            response.CloseConnection = true;
            await response.SendTextAsync(500, "text/plain; charset=utf-8", "500 Internal Server Error\n", _stopToken);
            return;
        }
        if (!response.HasStarted)
        {
            _log?.Invoke($"{request.Method} {request.Path}: handler sent no response");
            response.CloseConnection = true;
            await response.SendTextAsync(500, "text/plain; charset=utf-8", "500 Internal Server Error\n", _stopToken);
        }
    }

    /// <summary>The next request head, or null when the peer closed or the
    /// keep-alive idle timeout passed before a request began.</summary>
    private async ValueTask<HttpRequest?> ReadRequestAsync()
    {
        bool begun = false;
        int scanned = 0;
        Arm(_limits.IdleTimeout);
        while (true)
        {
            // RFC 9112 §2.2: ignore empty lines before a request line.
            while (_end - _start >= 2 && _buffer[_start] == (byte)'\r' && _buffer[_start + 1] == (byte)'\n')
            {
                _start += 2;
                scanned = 0;
            }
            int length = _end - _start;
            if (length > 0)
            {
                if (!begun)
                {
                    begun = true;
                    Arm(_limits.HeaderTimeout);
                }
                var data = _buffer.AsSpan(_start, length);
                int headEnd = HttpRequestParser.FindHeadEnd(data, scanned);
                if (headEnd >= 0)
                {
                    var request = HttpRequestParser.Parse(data[..headEnd], _limits);
                    _start += headEnd;
                    return request;
                }
                HttpRequestParser.CheckIncomplete(data, _limits);
                scanned = length;
            }
            MakeRoom();
            int received;
            try
            {
                received = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, _deadline.Token);
            }
            catch (OperationCanceledException) when (!_stopToken.IsCancellationRequested)
            {
                if (begun)
                    throw new HttpParseException(408, "request header timeout");
                return null;
            }
            if (received == 0)
                return null;
            _end += received;
        }
    }

    private void MakeRoom()
    {
        if (_end < _buffer.Length)
            return;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
            return;
        }
        if (_buffer.Length >= _maxBufferSize)
            throw new HttpParseException(431, "header section too large");
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, _maxBufferSize));
        Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    private async Task SendErrorAsync(int statusCode, string message)
    {
        var headers = statusCode == 405
            ? new[] { new KeyValuePair<string, string>("Allow", HttpRequestParser.AllowedMethods) }
            : Array.Empty<KeyValuePair<string, string>>();
        var body = Encoding.ASCII.GetBytes($"{statusCode} {HttpStatus.ReasonPhrase(statusCode)}: {message}\n");
        await SendAsync(FormatHead(statusCode, "text/plain; charset=utf-8", body.Length, "close", headers, body), _stopToken);
    }

    /// <summary>Writes all of <paramref name="data"/> within the write timeout; returns its length.</summary>
    internal async ValueTask<long> SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        using var callerRegistration = Link(cancellationToken);
        Arm(_limits.WriteTimeout);
        long total = 0;
        while (!data.IsEmpty)
        {
            int sent = await _socket.SendAsync(data, SocketFlags.None, _deadline.Token);
            Count(sent);
            total += sent;
            data = data[sent..];
        }
        return total;
    }

    /// <summary>Sends <paramref name="head"/> and then a file range in
    /// slices. A file opened for asynchronous I/O goes through
    /// SendPacketsAsync, which the runtime implements with sendfile(2) on
    /// Linux (no copy through user space); the head rides in the first call
    /// (one wake-up per small response, not two). Any other file is copied
    /// through a pooled buffer. Each slice gets the write timeout and, with a
    /// <paramref name="throttle"/>, is only as large as the bytes it grants;
    /// waiting for them holds no thread.</summary>
    internal async ValueTask SendFileAsync(ReadOnlyMemory<byte> head, FileStream file, long offset, long length,
        ISendThrottle? throttle, HttpResponse response, CancellationToken cancellationToken)
    {
        using var callerRegistration = Link(cancellationToken);
        if (!file.IsAsync)
        {
            response.AddSent(await SendAsync(head, CancellationToken.None), 0);
            await CopyFileAsync(file, offset, length, throttle, response);
            return;
        }
        var args = _sendPackets ??= NewSendPacketsArgs();
        // The head is in _headBuffer, which stays put until the next response.
        var headElement = new SendPacketsElement(_headBuffer, 0, head.Length);
        bool first = true;
        while (length > 0)
        {
            int slice = (int)Math.Min(length, FileSliceBytes);
            if (throttle is not null)
                slice = await AcquireAsync(throttle, slice);
            var fileElement = new SendPacketsElement(file, offset, slice, endOfPacket: true);
            args.SendPacketsElements = first ? [headElement, fileElement] : [fileElement];
            // Continuations run inline on the completing thread (already a
            // thread-pool thread, holding nothing): one hop less per slice.
            var pending = _sendPacketsDone = new TaskCompletionSource();
            Arm(_limits.WriteTimeout);
            // SendPacketsAsync takes no token: a deadline aborts it by closing the socket.
            await using (_deadline.Token.UnsafeRegister(static s => ((Socket)s!).Dispose(), _socket))
            {
                if (!_socket.SendPacketsAsync(args))
                    pending.TrySetResult();
                await pending.Task;
            }
            _deadline.Token.ThrowIfCancellationRequested();
            int headBytes = first ? head.Length : 0;
            int sent = (int)Math.Max(0, args.BytesTransferred - headBytes);
            Count(args.BytesTransferred);
            response.AddSent(Math.Min(args.BytesTransferred, headBytes), sent);
            if (args.SocketError != SocketError.Success)
                throw new SocketException((int)args.SocketError);
            if (sent != slice)
                throw new IOException($"file ended {length - sent} bytes short of the announced length");
            first = false;
            offset += slice;
            length -= slice;
        }
    }

    /// <summary>Waiting for the rate limit is not a stalled client: no write
    /// deadline while it lasts (stop and the caller's token still end it).</summary>
    private ValueTask<int> AcquireAsync(ISendThrottle throttle, int wanted)
    {
        Arm(Timeout.InfiniteTimeSpan);
        return throttle.AcquireAsync(wanted, _deadline.Token);
    }

    private SocketAsyncEventArgs NewSendPacketsArgs()
    {
        var args = new SocketAsyncEventArgs();
        args.Completed += (_, _) => _sendPacketsDone!.TrySetResult();
        return args;
    }

    private async ValueTask CopyFileAsync(FileStream file, long offset, long length, ISendThrottle? throttle, HttpResponse response)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (length > 0)
            {
                int want = (int)Math.Min(length, buffer.Length);
                if (throttle is not null)
                    want = await AcquireAsync(throttle, want);
                int read = await RandomAccess.ReadAsync(file.SafeFileHandle, buffer.AsMemory(0, want), offset, _deadline.Token);
                if (read == 0)
                    throw new IOException($"file ended {length} bytes short of the announced length");
                long sent = await SendAsync(buffer.AsMemory(0, read), CancellationToken.None);
                response.AddSent(0, sent);
                offset += read;
                length -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Count(long sent)
    {
        BytesSent += sent;
        _counters.AddBytesSent(sent);
    }

    private CancellationTokenRegistration Link(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled && cancellationToken != _stopToken
            ? cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _deadline)
            : default;

    /// <summary>Starts a new deadline <paramref name="timeout"/> from now.</summary>
    private void Arm(TimeSpan timeout)
    {
        if (!_deadline.TryReset())
            throw new OperationCanceledException(_deadline.Token);
        _deadline.CancelAfter(timeout);
    }

    /// <summary>Half-closes, then (after an answered error or a final
    /// response) reads what the client still sends for a moment: closing a
    /// socket with unread input makes the kernel send RST, which can destroy
    /// the response before the client reads it.</summary>
    private async ValueTask CloseAsync(bool linger)
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
            if (linger && !_stopToken.IsCancellationRequested && _deadline.TryReset())
            {
                _deadline.CancelAfter(LingerTimeout);
                int drained = 0;
                while (drained < LingerMaxBytes)
                {
                    int n = await _socket.ReceiveAsync(_buffer, SocketFlags.None, _deadline.Token);
                    if (n == 0)
                        break;
                    drained += n;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            _socket.Dispose();
        }
    }
}
