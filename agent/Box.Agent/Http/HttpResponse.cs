using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Box.Agent.Http;

/// <summary>The answer to one request. The server adds Date, Server,
/// Content-Length and Connection; a handler adds its own headers with
/// <see cref="SetHeader"/> and then sends exactly once. For HEAD requests
/// the head is sent with the Content-Length of the body that GET would
/// return, and the body is skipped.</summary>
public sealed class HttpResponse
{
    private readonly HttpConnection _connection;
    private readonly HttpRequest _request;
    private readonly List<KeyValuePair<string, string>> _headers = [];

    internal HttpResponse(HttpConnection connection, HttpRequest request, bool closeConnection)
    {
        _connection = connection;
        _request = request;
        CloseConnection = closeConnection;
    }

    /// <summary>True once sending began; headers can no longer change.</summary>
    public bool HasStarted { get; private set; }

    /// <summary>The status sent (0 before sending).</summary>
    public int StatusCode { get; private set; }

    /// <summary>Bytes of this response written to the socket (head and body).</summary>
    public long BytesSent { get; private set; }

    /// <summary>Body bytes of this response written to the socket so far:
    /// what a client that went away mid-body actually got (as far as the
    /// server can know: handed to the kernel).</summary>
    public long BodyBytesSent { get; private set; }

    /// <summary>Close the connection after this response. Starts true when the
    /// client asked for it or a limit was reached; a handler may set it.</summary>
    public bool CloseConnection { get; set; }

    /// <summary>One object a handler may keep for the lifetime of the
    /// connection (shared by all responses on it), e.g. a per-connection rate limiter.</summary>
    public object? ConnectionState
    {
        get => _connection.State;
        set => _connection.State = value;
    }

    /// <summary>Sets (or replaces) a response header. Names must be tokens and
    /// values must not contain control characters (no response splitting);
    /// the framing headers are the server's own.</summary>
    public void SetHeader(string name, string value)
    {
        if (HasStarted)
            throw new InvalidOperationException("response headers already sent");
        if (name.Length == 0)
            throw new ArgumentException("empty header name", nameof(name));
        foreach (char c in name)
        {
            if (c > 0x7E || c <= 0x20 || "()<>@,;:\\\"/[]?={}".Contains(c))
                throw new ArgumentException($"invalid header name '{name}'", nameof(name));
        }
        foreach (char c in value)
        {
            if (c < 0x20 && c != '\t' || c == 0x7F || c > 0xFF)
                throw new ArgumentException($"header {name} has a control or non-Latin-1 character", nameof(value));
        }
        if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Date", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"header {name} is set by the server", nameof(name));
        for (int i = _headers.Count - 1; i >= 0; i--)
        {
            if (_headers[i].Key.Equals(name, StringComparison.OrdinalIgnoreCase))
                _headers.RemoveAt(i);
        }
        _headers.Add(new(name, value));
    }

    /// <summary>Sends a complete response with <paramref name="body"/> (skipped for HEAD).</summary>
    public async ValueTask SendAsync(int statusCode, string? contentType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        Start(statusCode);
        // Small answers go out in one write with the head: one packet instead of two with TCP_NODELAY.
        bool withHead = !_request.IsHead && body.Length <= 16 * 1024;
        var head = BuildHead(statusCode, contentType, body.Length, withHead ? body.Span : default);
        BytesSent += await _connection.SendAsync(head, cancellationToken);
        if (withHead)
        {
            BodyBytesSent = body.Length;
            return;
        }
        if (_request.IsHead)
            return;
        long sent = await _connection.SendAsync(body, cancellationToken);
        BytesSent += sent;
        BodyBytesSent += sent;
    }

    /// <summary>Sends <paramref name="text"/> encoded as UTF-8.</summary>
    public ValueTask SendTextAsync(int statusCode, string contentType, string text, CancellationToken cancellationToken = default) =>
        SendAsync(statusCode, contentType, Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>302 to <paramref name="location"/> (a path on this server).</summary>
    public ValueTask RedirectAsync(string location, CancellationToken cancellationToken = default)
    {
        SetHeader("Location", location);
        return SendTextAsync(302, "text/plain; charset=utf-8", $"see {location}\n", cancellationToken);
    }

    /// <summary>Sends <paramref name="length"/> bytes of <paramref name="file"/>
    /// from <paramref name="offset"/> as the body. Zero-copy (sendfile(2) on
    /// Linux) when the file was opened with <see cref="FileOptions.Asynchronous"/>,
    /// a buffered copy otherwise. The caller sets Content-Range/ETag first and
    /// owns (disposes) the file.
    /// A file shorter than announced closes the connection mid-body.</summary>
    public ValueTask SendFileAsync(int statusCode, string? contentType, FileStream file, long offset, long length, CancellationToken cancellationToken = default) =>
        SendFileAsync(statusCode, contentType, file, offset, length, null, cancellationToken);

    /// <summary>Like <see cref="SendFileAsync(int, string?, FileStream, long, long, CancellationToken)"/>,
    /// with the body paced by <paramref name="throttle"/> (null = as fast as the client reads).</summary>
    public ValueTask SendFileAsync(int statusCode, string? contentType, FileStream file, long offset, long length,
        ISendThrottle? throttle, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        return SendFileCoreAsync(statusCode, contentType, file.SafeFileHandle, copy: !file.IsAsync, offset, length, throttle, cancellationToken);
    }

    /// <summary>Sends <paramref name="length"/> bytes of the file behind
    /// <paramref name="file"/> from <paramref name="offset"/> as the body,
    /// zero-copy (sendfile(2); any regular file handle, read positionally).
    /// The caller owns (disposes) the handle; otherwise as the FileStream overload.</summary>
    public ValueTask SendFileAsync(int statusCode, string? contentType, SafeFileHandle file, long offset, long length,
        CancellationToken cancellationToken = default) =>
        SendFileAsync(statusCode, contentType, file, offset, length, null, cancellationToken);

    /// <summary>Like <see cref="SendFileAsync(int, string?, SafeFileHandle, long, long, CancellationToken)"/>,
    /// with the body paced by <paramref name="throttle"/> (null = as fast as the client reads).</summary>
    public ValueTask SendFileAsync(int statusCode, string? contentType, SafeFileHandle file, long offset, long length,
        ISendThrottle? throttle, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        return SendFileCoreAsync(statusCode, contentType, file, copy: false, offset, length, throttle, cancellationToken);
    }

    private async ValueTask SendFileCoreAsync(int statusCode, string? contentType, SafeFileHandle file, bool copy,
        long offset, long length, ISendThrottle? throttle, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Start(statusCode);
        var head = BuildHead(statusCode, contentType, length, default);
        if (_request.IsHead || length == 0)
        {
            BytesSent += await _connection.SendAsync(head, cancellationToken);
            return;
        }
        try
        {
            if (copy)
                await _connection.SendCopyAsync(head, file, offset, length, throttle, this, cancellationToken);
            else
                await _connection.SendFileAsync(head, file, offset, length, throttle, this, cancellationToken);
        }
        catch
        {
            // The head promised a length we can no longer deliver.
            CloseConnection = true;
            throw;
        }
    }

    /// <summary>Progress of a file body, from the connection.</summary>
    internal void AddSent(long headBytes, long bodyBytes)
    {
        BytesSent += headBytes + bodyBytes;
        BodyBytesSent += bodyBytes;
    }

    private void Start(int statusCode)
    {
        if (HasStarted)
            throw new InvalidOperationException("response already sent");
        if (statusCode is < 200 or > 599)
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "status must be 200–599");
        HasStarted = true;
        StatusCode = statusCode;
    }

    private ReadOnlyMemory<byte> BuildHead(int statusCode, string? contentType, long contentLength, ReadOnlySpan<byte> body)
    {
        var keepAliveHeader = CloseConnection ? "close" : _request.Version.Minor == 0 ? "keep-alive" : null;
        return _connection.FormatHead(statusCode, contentType, contentLength, keepAliveHeader, _headers, body);
    }

    /// <summary>The head bytes of a response (and <paramref name="body"/>
    /// after them); <paramref name="connection"/> is the Connection header
    /// value or null for none.</summary>
    internal static byte[] FormatHead(int statusCode, string? contentType, long contentLength, string? connection,
        IReadOnlyList<KeyValuePair<string, string>> headers, DateTimeOffset now, ReadOnlySpan<byte> body = default)
    {
        var buffer = Array.Empty<byte>();
        int length = ResponseHeadWriter.Write(ref buffer, statusCode, contentType, contentLength, connection, headers, now, body);
        return buffer.AsSpan(0, length).ToArray();
    }
}
