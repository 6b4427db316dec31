namespace Box.Agent.Cloud.Link;

/// <summary>The topics of one box (docs/contract.md, "Topics").</summary>
public sealed record CloudTopics(string Prefix)
{
    public string Status => Prefix + "status";
    public string State => Prefix + "state";
    public string Telemetry => Prefix + "telemetry";
    public string Events => Prefix + "events";
    public string Cmd => Prefix + "cmd";
    public string Reply => Prefix + "reply";
    public string Config => Prefix + "config";
    public string Pairing => Prefix + "pairing";

    /// <summary>Fills <c>{id}</c> in <paramref name="template"/> (default
    /// <c>box/{id}/</c>); a missing trailing slash is added.</summary>
    public static CloudTopics For(string template, string boxId)
    {
        ValidateBoxId(boxId);
        if (string.IsNullOrWhiteSpace(template))
            throw new ArgumentException("topic prefix: must not be empty");
        if (template.IndexOfAny(['+', '#', '\0']) >= 0)
            throw new ArgumentException($"topic prefix: '{template}' must not contain '+', '#' or NUL");
        var prefix = template.Replace("{id}", boxId, StringComparison.Ordinal);
        if (!prefix.EndsWith('/'))
            prefix += "/";
        return new CloudTopics(prefix);
    }

    public static void ValidateBoxId(string boxId)
    {
        if (string.IsNullOrEmpty(boxId))
            throw new ArgumentException("box id: must not be empty");
        if (boxId.Length > 64)
            throw new ArgumentException($"box id: {boxId.Length} characters is over the 64-character limit");
        foreach (var c in boxId)
        {
            if (c is '/' or '+' or '#' || char.IsControl(c) || char.IsWhiteSpace(c))
                throw new ArgumentException($"box id: '{boxId}' must not contain '/', '+', '#', spaces or control characters");
        }
    }
}
