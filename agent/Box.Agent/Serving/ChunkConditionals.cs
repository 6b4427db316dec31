namespace Box.Agent.Serving;

/// <summary>The conditional headers that matter for immutable, hash-named
/// chunks (RFC 9110 §13). There is no Last-Modified, so date forms never match.</summary>
public static class ChunkConditionals
{
    /// <summary>If-None-Match lists our ETag (weak comparison) or is "*": answer 304.</summary>
    public static bool NoneMatch(string? ifNoneMatch, string etag)
    {
        if (ifNoneMatch is null)
            return false;
        foreach (var range in ifNoneMatch.AsSpan().Split(','))
        {
            var tag = ifNoneMatch.AsSpan(range).Trim(" \t");
            if (tag.StartsWith("W/", StringComparison.Ordinal))
                tag = tag[2..];
            if (tag is "*" || tag.SequenceEqual(etag))
                return true;
        }
        return false;
    }

    /// <summary>Without If-Range the Range applies; with it, only when it is
    /// exactly our (strong) ETag. A date never matches: send the whole chunk.</summary>
    public static bool RangeStillApplies(string? ifRange, string etag) =>
        ifRange is null || ifRange.AsSpan().Trim(" \t").SequenceEqual(etag);
}
