namespace Box.Agent.Http;

/// <summary>Paces a response body (upload rate limits): before each slice of
/// a file body the connection asks how many bytes it may send now.</summary>
public interface ISendThrottle
{
    /// <summary>Waits, without holding a thread, until at least one byte may
    /// be sent; returns how many (1..<paramref name="wanted"/>). The caller
    /// sends exactly that many.</summary>
    ValueTask<int> AcquireAsync(int wanted, CancellationToken cancellationToken);
}
