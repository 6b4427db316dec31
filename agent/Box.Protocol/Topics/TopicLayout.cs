namespace Box.Protocol.Topics;

/// <summary>
/// The per-box topic prefix, a template like <c>box/{id}/</c> (docs/contract.md, "Topics":
/// "Prefix box/{id}/ (configurable)"). Builds topics for one box, wildcard
/// filters for all boxes, and reads the box id back out of a topic.
/// </summary>
public sealed class TopicLayout
{
    public const string DefaultPrefix = "box/{id}/";
    public static readonly TopicLayout Default = Parse(DefaultPrefix);

    readonly string _before;
    readonly string _after;

    TopicLayout(string before, string after)
    {
        _before = before;
        _after = after;
    }

    public string Prefix => _before + "{id}" + _after;

    /// <summary>Null when <paramref name="prefix"/> is a usable template, else
    /// why not (for the caller to put after the name of its setting).</summary>
    public static string? Problem(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
            return "must not be empty";
        int at = prefix.IndexOf("{id}", StringComparison.Ordinal);
        if (at < 0 || prefix.IndexOf("{id}", at + 4, StringComparison.Ordinal) >= 0)
            return $"must contain {{id}} exactly once, like box/{{id}}/, not '{prefix}'";
        if (prefix.AsSpan().IndexOfAny("+#\0") >= 0)
            return $"must not contain '+', '#' or NUL, not '{prefix}'";
        string before = prefix[..at], after = prefix[(at + 4)..];
        // {id} must be a whole topic level so "+" can stand for it.
        if ((before.Length > 0 && !before.EndsWith('/')) || !after.StartsWith('/') || !after.EndsWith('/'))
            return $"must have {{id}} as a whole topic level and end with '/', like box/{{id}}/, not '{prefix}'";
        return null;
    }

    /// <exception cref="ArgumentException">see <see cref="Problem"/>.</exception>
    public static TopicLayout Parse(string prefix)
    {
        if (Problem(prefix) is { } problem)
            throw new ArgumentException("topic prefix: " + problem);
        int at = prefix.IndexOf("{id}", StringComparison.Ordinal);
        return new TopicLayout(prefix[..at], prefix[(at + 4)..]);
    }

    /// <summary><c>box/b1/</c>: the prefix of one box.</summary>
    public string PrefixOf(string boxId)
    {
        BoxId.Validate(boxId);
        return _before + boxId + _after;
    }

    /// <summary>All topics of one box.</summary>
    public BoxTopics Topics(string boxId) => new(PrefixOf(boxId));

    /// <summary><c>box/b1/{leaf}</c> for one box.</summary>
    public string For(string boxId, string leaf) => PrefixOf(boxId) + leaf;

    /// <summary><c>box/+/{leaf}</c>: the same leaf of every box.</summary>
    public string ForAll(string leaf) => _before + "+" + _after + leaf;

    /// <summary>Splits a topic built by this layout into box id and leaf.</summary>
    public bool TryParse(string topic, out string boxId, out string leaf)
    {
        boxId = leaf = "";
        if (!topic.StartsWith(_before, StringComparison.Ordinal))
            return false;
        int idEnd = topic.IndexOf('/', _before.Length);
        if (idEnd <= _before.Length)
            return false;
        string rest = topic[idEnd..];
        if (!rest.StartsWith(_after, StringComparison.Ordinal))
            return false;
        boxId = topic[_before.Length..idEnd];
        leaf = rest[_after.Length..];
        return true;
    }
}
