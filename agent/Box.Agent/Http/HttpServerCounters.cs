namespace Box.Agent.Http;

/// <summary>Live figures of one <see cref="HttpServer"/>, read by metrics and
/// telemetry. Updated with interlocked operations from connection tasks.</summary>
public sealed class HttpServerCounters
{
    private long _bytesSent;
    private long _requests;
    private long _connectionsAccepted;
    private long _connectionsRejected;
    private long _badRequests;
    private long _connectionsRefusedPerAddress;
    private int _activeConnections;

    /// <summary>Bytes written to clients (headers and bodies).</summary>
    public long BytesSent => Volatile.Read(ref _bytesSent);

    /// <summary>Well-formed requests handed to the handler.</summary>
    public long Requests => Volatile.Read(ref _requests);

    /// <summary>Connections accepted and served.</summary>
    public long ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);

    /// <summary>Connections turned away with 503 because of the connection limit.</summary>
    public long ConnectionsRejected => Volatile.Read(ref _connectionsRejected);

    /// <summary>Connections refused because their address already had
    /// <see cref="HttpServerLimits.MaxConnectionsPerAddress"/> open.</summary>
    public long ConnectionsRefusedPerAddress => Volatile.Read(ref _connectionsRefusedPerAddress);

    /// <summary>Requests refused as malformed, too large, too slow or with a
    /// method other than GET/HEAD.</summary>
    public long BadRequests => Volatile.Read(ref _badRequests);

    /// <summary>Connections open right now.</summary>
    public int ActiveConnections => Volatile.Read(ref _activeConnections);

    internal void AddBytesSent(long bytes) => Interlocked.Add(ref _bytesSent, bytes);
    internal void AddRequest() => Interlocked.Increment(ref _requests);
    internal void AddBadRequest() => Interlocked.Increment(ref _badRequests);
    internal void AddRejected() => Interlocked.Increment(ref _connectionsRejected);
    internal void AddRefusedPerAddress() => Interlocked.Increment(ref _connectionsRefusedPerAddress);

    /// <summary>Takes a connection slot; false (and nothing taken) when
    /// <paramref name="max"/> are already open.</summary>
    internal bool TryOpenConnection(int max)
    {
        while (true)
        {
            int active = Volatile.Read(ref _activeConnections);
            if (active >= max)
                return false;
            if (Interlocked.CompareExchange(ref _activeConnections, active + 1, active) == active)
            {
                Interlocked.Increment(ref _connectionsAccepted);
                return true;
            }
        }
    }

    internal void CloseConnection() => Interlocked.Decrement(ref _activeConnections);
}
