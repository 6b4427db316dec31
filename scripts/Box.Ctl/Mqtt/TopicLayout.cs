using Box.Ctl.Cli;

namespace Box.Ctl.Mqtt;

/// <summary>
/// The per-box topic prefix, a template like <c>box/{id}/</c> (docs/contract.md "Topics":
/// "Prefix box/{id}/ (configurable)"). Builds topics for one box, wildcard
/// filters for all boxes, and reads the box id back out of a topic.
/// </summary>
public sealed class TopicLayout
{
    public const string DefaultPrefix = "box/{id}/";
    readonly string before;
    readonly string after;

    TopicLayout(string before, string after)
    {
        this.before = before;
        this.after = after;
    }

    public string Prefix => before + "{id}" + after;

    public static TopicLayout Parse(string prefix)
    {
        int at = prefix.IndexOf("{id}", StringComparison.Ordinal);
        if (at < 0 || prefix.IndexOf("{id}", at + 4, StringComparison.Ordinal) >= 0)
            throw new UsageException($"--prefix must contain {{id}} exactly once, like box/{{id}}/, not '{prefix}'");
        if (prefix.AsSpan().IndexOfAny("+#\0") >= 0)
            throw new UsageException($"--prefix must not contain MQTT wildcards, not '{prefix}'");
        string before = prefix[..at], after = prefix[(at + 4)..];
        // {id} must be a whole topic level so "+" can stand for it.
        if ((before.Length > 0 && !before.EndsWith('/')) || !after.StartsWith('/'))
            throw new UsageException($"--prefix must have {{id}} as a whole topic level followed by '/', like box/{{id}}/, not '{prefix}'");
        return new TopicLayout(before, after);
    }

    /// <summary><c>box/{id}/{leaf}</c> for one box.</summary>
    public string For(string boxId, string leaf)
    {
        ValidateId(boxId);
        return before + boxId + after + leaf;
    }

    /// <summary><c>box/+/{leaf}</c>: the same leaf of every box.</summary>
    public string ForAll(string leaf) => before + "+" + after + leaf;

    /// <summary>Splits a topic built by this layout into box id and leaf.</summary>
    public bool TryParse(string topic, out string boxId, out string leaf)
    {
        boxId = leaf = "";
        if (!topic.StartsWith(before, StringComparison.Ordinal))
            return false;
        int idEnd = topic.IndexOf('/', before.Length);
        if (idEnd <= before.Length)
            return false;
        string rest = topic[idEnd..];
        if (!rest.StartsWith(after, StringComparison.Ordinal))
            return false;
        boxId = topic[before.Length..idEnd];
        leaf = rest[after.Length..];
        return true;
    }

    /// <summary>A box id is one topic level: no '/', no wildcards.</summary>
    public static void ValidateId(string boxId)
    {
        if (boxId.Length == 0 || boxId.AsSpan().IndexOfAny("/+#\0") >= 0 || boxId.Any(char.IsWhiteSpace))
            throw new UsageException($"box id must be one topic level without '/', '+', '#' or spaces, not '{boxId}'");
    }
}
