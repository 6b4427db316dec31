namespace Box.Agent.Http;

/// <summary>A request the server refuses before any handler sees it. The
/// message is a fixed phrase (never echoes client input) and becomes the
/// one-line body of the error response.</summary>
public sealed class HttpParseException : Exception
{
    public HttpParseException(int statusCode, string message) : base(message)
    {
        StatusCode = statusCode;
    }

    /// <summary>The status answered (400, 405, 408, 414, 431, 505).</summary>
    public int StatusCode { get; }
}

/// <summary>The server could not start (address in use, bad bind address).</summary>
public sealed class HttpServerException : IOException
{
    public HttpServerException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
