using System.Net;

namespace Box.Agent.Http;

/// <summary>A parsed, validated request head (this server takes no bodies).</summary>
public sealed class HttpRequest
{
    internal HttpRequest(
        string method,
        string target,
        string path,
        string rawQuery,
        IReadOnlyDictionary<string, string> query,
        Version version,
        IReadOnlyList<KeyValuePair<string, string>> headers,
        bool keepAlive)
    {
        Method = method;
        Target = target;
        Path = path;
        RawQuery = rawQuery;
        Query = query;
        Version = version;
        Headers = headers;
        KeepAlive = keepAlive;
    }

    /// <summary>"GET" or "HEAD" (the only methods that get this far).</summary>
    public string Method { get; }

    public bool IsHead => ReferenceEquals(Method, HttpRequestParser.Head);

    /// <summary>The request target exactly as sent (path and query, still encoded).</summary>
    public string Target { get; }

    /// <summary>Percent-decoded path; starts with '/', contains no "." or ".."
    /// segment, no "//", no NUL or control character, no backslash.</summary>
    public string Path { get; }

    /// <summary>Query string without the '?', still encoded ("" when none).</summary>
    public string RawQuery { get; }

    /// <summary>Decoded query parameters; the first occurrence of a name wins.</summary>
    public IReadOnlyDictionary<string, string> Query { get; }

    /// <summary>1.0 or 1.1.</summary>
    public Version Version { get; }

    /// <summary>Header fields in arrival order; names as sent, values trimmed.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Whether the client asked to keep the connection open.</summary>
    public bool KeepAlive { get; }

    /// <summary>The peer's address; set by the connection.</summary>
    public IPEndPoint? RemoteEndPoint { get; internal set; }

    /// <summary>The first value of header <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? GetHeader(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                return value;
        }
        return null;
    }
}
