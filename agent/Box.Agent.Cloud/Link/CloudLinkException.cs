namespace Box.Agent.Cloud.Link;

/// <summary>Why a connection attempt or session ended, in words for LinkDown.</summary>
public sealed class CloudLinkException : Exception
{
    public CloudLinkException(string message) : base(message)
    {
    }

    public CloudLinkException(string message, Exception inner) : base(message, inner)
    {
    }
}
