using System.Globalization;
using System.Text;

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

    /// <summary>Close the connection after this response. Starts true when the
    /// client asked for it or a limit was reached; a handler may set it.</summary>
    public bool CloseConnection { get; set; }

    /// <summary>Sets (or replaces) a response header. Names must be tokens and
    /// values must not contain control characters (no response splitting);
    /// the framing headers are the server's own.</summary>
    public void SetHeader(string name, string value)
    {
        if (HasStarted)
            throw new InvalidOperationException("response headers already sent");
        if (name.Length == 0 || name.Any(c => c > 0x7E || c <= 0x20 || "()<>@,;:\\\"/[]?={}".Contains(c)))
            throw new ArgumentException($"invalid header name '{name}'", nameof(name));
        if (value.Any(c => c < 0x20 && c != '\t' || c == 0x7F || c > 0xFF))
            throw new ArgumentException($"header {name} has a control or non-Latin-1 character", nameof(value));
        if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Date", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"header {name} is set by the server", nameof(name));
        _headers.RemoveAll(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
        _headers.Add(new(name, value));
    }

    /// <summary>Sends a complete response with <paramref name="body"/> (skipped for HEAD).</summary>
    public async ValueTask SendAsync(int statusCode, string? contentType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        Start(statusCode);
        var head = BuildHead(statusCode, contentType, body.Length);
        if (_request.IsHead || body.IsEmpty)
        {
            BytesSent += await _connection.SendAsync(head, cancellationToken);
            return;
        }
        // One write for small answers: one packet instead of two with TCP_NODELAY.
        if (body.Length <= 16 * 1024)
        {
            var whole = new byte[head.Length + body.Length];
            head.CopyTo(whole, 0);
            body.CopyTo(whole.AsMemory(head.Length));
            BytesSent += await _connection.SendAsync(whole, cancellationToken);
            return;
        }
        BytesSent += await _connection.SendAsync(head, cancellationToken);
        BytesSent += await _connection.SendAsync(body, cancellationToken);
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
    public async ValueTask SendFileAsync(int statusCode, string? contentType, FileStream file, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Start(statusCode);
        BytesSent += await _connection.SendAsync(BuildHead(statusCode, contentType, length), cancellationToken);
        if (_request.IsHead || length == 0)
            return;
        try
        {
            await _connection.SendFileAsync(file, offset, length, sent => BytesSent += sent, cancellationToken);
        }
        catch
        {
            // The head promised a length we can no longer deliver.
            CloseConnection = true;
            throw;
        }
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

    private byte[] BuildHead(int statusCode, string? contentType, long contentLength)
    {
        var keepAliveHeader = CloseConnection ? "close" : _request.Version.Minor == 0 ? "keep-alive" : null;
        return FormatHead(statusCode, contentType, contentLength, keepAliveHeader, _headers, _connection.Now);
    }

    /// <summary>The head bytes of a response; <paramref name="connection"/> is
    /// the Connection header value or null for none.</summary>
    internal static byte[] FormatHead(int statusCode, string? contentType, long contentLength, string? connection,
        IReadOnlyList<KeyValuePair<string, string>> headers, DateTimeOffset now)
    {
        var head = new StringBuilder(256);
        head.Append("HTTP/1.1 ").Append(statusCode.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(HttpStatus.ReasonPhrase(statusCode)).Append("\r\n");
        head.Append("Date: ").Append(now.UtcDateTime.ToString("r", CultureInfo.InvariantCulture)).Append("\r\n");
        head.Append("Server: box-agent\r\n");
        if (contentType is not null)
            head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        head.Append("Content-Length: ").Append(contentLength.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        if (connection is not null)
            head.Append("Connection: ").Append(connection).Append("\r\n");
        foreach (var (name, value) in headers)
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        head.Append("\r\n");
        return Encoding.Latin1.GetBytes(head.ToString());
    }
}
