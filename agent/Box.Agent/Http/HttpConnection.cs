using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Box.Platform;
using Microsoft.Win32.SafeHandles;

namespace Box.Agent.Http;

/// <summary>One accepted TCP connection: reads request heads under the
/// limits, hands each request to the handler, writes responses in order
/// (pipelined requests are answered one after another), and closes on error,
/// timeout, "Connection: close" or server stop.</summary>
internal sealed class HttpConnection
{
    private const int InitialBufferSize = 4096;
    private const int FileSliceBytes = 1024 * 1024;
    // Sent by copy when the socket is full, to wait for room without a thread.
    private const int WaitCopyBytes = 16 * 1024;
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
    private SafeSocketHandle? _socketHandle;
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

    /// <summary>Sends <paramref name="head"/> and then a file range copied
    /// through a pooled buffer (a file not opened for asynchronous I/O).</summary>
    internal async ValueTask SendCopyAsync(ReadOnlyMemory<byte> head, SafeFileHandle file, long offset, long length,
        ISendThrottle? throttle, HttpResponse response, CancellationToken cancellationToken)
    {
        using var callerRegistration = Link(cancellationToken);
        response.AddSent(await SendAsync(head, CancellationToken.None), 0);
        await CopyFileAsync(file, offset, length, throttle, response);
    }

    /// <summary>Sends <paramref name="head"/> (in _headBuffer) and then a file
    /// range zero-copy, in slices, with plain non-blocking send(MSG_MORE) and
    /// sendfile(2) on the calling thread: when the socket buffer takes a 64 KiB
    /// chunk at once that is two syscalls, one packet and no allocation
    /// (SendPacketsAsync was sendto + lseek + fstat + sendfile, an async void
    /// state machine and two Tasks per response, and wants a FileStream).
    /// When the socket is full, the next few KiB are copied and sent with
    /// SendAsync, which waits for room without holding a thread; then sendfile
    /// again. Each slice gets the write timeout and, with a
    /// <paramref name="throttle"/>, is only as large as the bytes it grants;
    /// waiting for them holds no thread.</summary>
    internal async ValueTask SendFileAsync(ReadOnlyMemory<byte> head, SafeFileHandle file, long offset, long length,
        ISendThrottle? throttle, HttpResponse response, CancellationToken cancellationToken)
    {
        using var callerRegistration = Link(cancellationToken);
        int headDone = 0;
        while (length > 0)
        {
            int slice = (int)Math.Min(length, FileSliceBytes);
            if (throttle is not null)
                slice = await AcquireAsync(throttle, slice);
            Arm(_limits.WriteTimeout);
            while (slice > 0)
            {
                var direct = OperatingSystem.IsLinux() ? TrySendDirect(headDone, head.Length - headDone, file, offset, slice) : default;
                Count(direct.HeadBytes + direct.BodyBytes);
                response.AddSent(direct.HeadBytes, direct.BodyBytes);
                headDone += direct.HeadBytes;
                offset += direct.BodyBytes;
                length -= direct.BodyBytes;
                slice -= direct.BodyBytes;
                if (direct.Ended)
                    throw new IOException($"file ended {length} bytes short of the announced length");
                if (headDone < head.Length)
                {
                    // The socket is full before the head is out: wait with the rest of it.
                    response.AddSent(await SendRawAsync(_headBuffer.AsMemory(headDone, head.Length - headDone)), 0);
                    headDone = head.Length;
                }
                else if (slice > 0)
                {
                    int copied = await SendCopiedAsync(file, offset, Math.Min(slice, WaitCopyBytes), length);
                    response.AddSent(0, copied);
                    offset += copied;
                    length -= copied;
                    slice -= copied;
                }
            }
        }
    }

    private readonly record struct DirectSent(int HeadBytes, int BodyBytes, bool Ended);

    /// <summary>What the socket takes right now without blocking; stops at
    /// EAGAIN or an error (the SendAsync that follows waits or reports it).</summary>
    private DirectSent TrySendDirect(int headStart, int headCount, SafeFileHandle file, long offset, int count)
    {
        var socketHandle = _socketHandle ??= _socket.SafeHandle;
        bool socketRef = false, fileRef = false;
        int headSent = 0, bodySent = 0;
        bool ended = false;
        try
        {
            // Held so a deadline closing the socket cannot recycle the descriptor under us.
            socketHandle.DangerousAddRef(ref socketRef);
            file.DangerousAddRef(ref fileRef);
            int socketFd = (int)socketHandle.DangerousGetHandle();
            int fileFd = (int)file.DangerousGetHandle();
            while (headSent < headCount)
            {
                nint n = Libc.Send(socketFd, _headBuffer.AsSpan(headStart + headSent, headCount - headSent),
                    Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL | Libc.MSG_MORE);
                if (n > 0)
                    headSent += (int)n;
                else if (n < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
                    continue;
                else
                    return new(headSent, 0, false);
            }
            long position = offset;
            while (bodySent < count)
            {
                nint n = Libc.SendFile(socketFd, fileFd, ref position, (nuint)(count - bodySent));
                if (n > 0)
                {
                    bodySent += (int)n;
                }
                else if (n == 0)
                {
                    ended = true;
                    break;
                }
                else if (Marshal.GetLastPInvokeError() != Libc.EINTR)
                {
                    break;
                }
            }
        }
        finally
        {
            if (fileRef)
                file.DangerousRelease();
            if (socketRef)
                socketHandle.DangerousRelease();
        }
        return new(headSent, bodySent, ended);
    }

    /// <summary>Up to <paramref name="count"/> file bytes through a pooled
    /// buffer and SendAsync (which waits for the socket); returns the bytes sent.</summary>
    private async ValueTask<int> SendCopiedAsync(SafeFileHandle file, long offset, int count, long remaining)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(count);
        try
        {
            // A plain read, as sendfile(2) itself reads: no thread hop.
            int read = RandomAccess.Read(file, buffer.AsSpan(0, count), offset);
            if (read == 0)
                throw new IOException($"file ended {remaining} bytes short of the announced length");
            return (int)await SendRawAsync(buffer.AsMemory(0, read));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>All of <paramref name="data"/> under the deadline already armed.</summary>
    private async ValueTask<long> SendRawAsync(ReadOnlyMemory<byte> data)
    {
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

    /// <summary>Waiting for the rate limit is not a stalled client: no write
    /// deadline while it lasts (stop and the caller's token still end it).</summary>
    private ValueTask<int> AcquireAsync(ISendThrottle throttle, int wanted)
    {
        Arm(Timeout.InfiniteTimeSpan);
        return throttle.AcquireAsync(wanted, _deadline.Token);
    }

    private async ValueTask CopyFileAsync(SafeFileHandle file, long offset, long length, ISendThrottle? throttle, HttpResponse response)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (length > 0)
            {
                int want = (int)Math.Min(length, buffer.Length);
                if (throttle is not null)
                    want = await AcquireAsync(throttle, want);
                int read = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, want), offset, _deadline.Token);
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
