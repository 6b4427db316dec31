using Box.Agent.Http;

namespace Box.Agent.Serving;

/// <summary>Where a chunk request carries its token: <c>Authorization:
/// Bearer &lt;t&gt;</c> or <c>?t=&lt;t&gt;</c>. Both present and equal is
/// fine; both present and different is refused (400): which one the client
/// meant is a guess, and a guess could bill the wrong token. An
/// Authorization header with another scheme is not a chunk token and is
/// ignored.</summary>
public static class ChunkRequestToken
{
    /// <summary>The token (null when none), or false when the two places disagree.</summary>
    public static bool TryGet(HttpRequest request, out string? token)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? fromHeader = null;
        var authorization = request.GetHeader("Authorization");
        if (authorization is not null && authorization.Length > 7
            && authorization.AsSpan(0, 7).Equals("Bearer ", StringComparison.OrdinalIgnoreCase))
            fromHeader = authorization.AsSpan(7).Trim(" \t").ToString();
        request.Query.TryGetValue("t", out var fromQuery);
        if (fromHeader is not null && fromQuery is not null && !string.Equals(fromHeader, fromQuery, StringComparison.Ordinal))
        {
            token = null;
            return false;
        }
        token = fromHeader ?? fromQuery;
        return true;
    }
}
