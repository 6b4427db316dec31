namespace Box.Protocol.Topics;

/// <summary>A box id is one MQTT topic level (it stands where <c>{id}</c> is).</summary>
public static class BoxId
{
    public const int MaxLength = 64;

    /// <summary>Null when valid, else why not.</summary>
    public static string? Problem(string? boxId)
    {
        if (string.IsNullOrEmpty(boxId))
            return "box id: must not be empty";
        if (boxId.Length > MaxLength)
            return $"box id: {boxId.Length} characters is over the {MaxLength}-character limit";
        foreach (var c in boxId)
        {
            if (c is '/' or '+' or '#' || char.IsControl(c) || char.IsWhiteSpace(c))
                return $"box id: '{boxId}' must not contain '/', '+', '#', spaces or control characters";
        }
        return null;
    }

    /// <exception cref="ArgumentException">the id is not one topic level.</exception>
    public static void Validate(string? boxId)
    {
        if (Problem(boxId) is { } problem)
            throw new ArgumentException(problem);
    }
}
