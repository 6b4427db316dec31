using MQTTnet;

namespace Box.Agent.Cloud.Link;

/// <summary>One connection attempt's client and its fate. Disconnect
/// events of this client can only end this session, never start a loop.</summary>
internal sealed class LinkSession(IMqttClient client) : IDisposable
{
    readonly CancellationTokenSource _lost = new();
    string? _reason;
    int _disposed;

    public IMqttClient Client { get; } = client;
    public volatile bool Ready;
    public CancellationToken Lost => _lost.Token;
    public string? Reason => Volatile.Read(ref _reason);

    /// <summary>Ends the session; the first reason given is kept.</summary>
    public void Lose(string? reason)
    {
        if (reason is not null)
            Interlocked.CompareExchange(ref _reason, reason, null);
        if (Volatile.Read(ref _disposed) != 0)
            return;
        try
        {
            _lost.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _lost.Dispose();
    }
}
