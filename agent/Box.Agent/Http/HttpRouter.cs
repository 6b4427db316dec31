namespace Box.Agent.Http;

/// <summary>Route table: exact paths ("/status") and path prefixes
/// ("/chunks/"); the longest matching prefix wins. Anything else is 404.
/// Register everything before the server starts; lookups are lock-free reads.</summary>
public sealed class HttpRouter : IHttpHandler
{
    private readonly Dictionary<string, HttpRequestHandler> _exact = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, HttpRequestHandler>> _prefixes = [];

    /// <summary>Answers requests whose path is exactly <paramref name="path"/>.</summary>
    public HttpRouter Map(string path, HttpRequestHandler handler)
    {
        if (!path.StartsWith('/'))
            throw new ArgumentException($"route '{path}' must start with '/'", nameof(path));
        if (!_exact.TryAdd(path, handler))
            throw new ArgumentException($"route '{path}' is already mapped", nameof(path));
        return this;
    }

    /// <summary>Answers requests whose path starts with <paramref name="prefix"/>
    /// (which must end in '/'); the handler reads the rest from <see cref="HttpRequest.Path"/>.</summary>
    public HttpRouter MapPrefix(string prefix, HttpRequestHandler handler)
    {
        if (!prefix.StartsWith('/') || !prefix.EndsWith('/'))
            throw new ArgumentException($"route prefix '{prefix}' must start and end with '/'", nameof(prefix));
        if (_prefixes.Any(p => p.Key == prefix))
            throw new ArgumentException($"route prefix '{prefix}' is already mapped", nameof(prefix));
        _prefixes.Add(new(prefix, handler));
        _prefixes.Sort((a, b) => b.Key.Length.CompareTo(a.Key.Length));
        return this;
    }

    public ValueTask HandleAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        if (_exact.TryGetValue(request.Path, out var handler))
            return handler(request, response, cancellationToken);
        foreach (var (prefix, prefixHandler) in _prefixes)
        {
            if (request.Path.StartsWith(prefix, StringComparison.Ordinal))
                return prefixHandler(request, response, cancellationToken);
        }
        return response.SendTextAsync(404, "text/plain; charset=utf-8", "404 Not Found\n", cancellationToken);
    }
}
