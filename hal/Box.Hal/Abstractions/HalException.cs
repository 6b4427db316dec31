namespace Box.Hal;

/// <summary>A hardware part failed; the message names the part and the problem.</summary>
public class HalException : Exception
{
    public HalException(string message) : base(message) { }
    public HalException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The board profile is malformed; the message names the file and field.</summary>
public sealed class BoardProfileException : HalException
{
    public BoardProfileException(string message) : base(message) { }
    public BoardProfileException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A non-fatal problem with one part, reported instead of thrown.</summary>
public sealed record HalFault(string Part, string Message)
{
    public override string ToString() => $"{Part}: {Message}";
}
