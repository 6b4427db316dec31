namespace Box.Agent.Hosting;

/// <summary>What clients downloaded from this box: the only traffic that counts as
/// served (telemetry <c>bytesServed</c>, the "serving" LED, the status page's
/// traffic card). The LAN status page's own requests are deliberately not in here,
/// or an owner watching the page (it reloads every 5 s) would make the box look busy.
/// The chunk server feeds it; until it lands everything stays 0. Thread-safe.</summary>
public sealed class ChunkTraffic
{
    private long _bytesServed;
    private long _requests;
    private int _activeConnections;
    private long _bytesPerSecond;
    private long _bytesToday;

    public long BytesServed => Volatile.Read(ref _bytesServed);
    public long Requests => Volatile.Read(ref _requests);
    public int ActiveConnections => Volatile.Read(ref _activeConnections);

    /// <summary>Upload rate over the last few seconds (set by <see cref="TrafficReporter"/>).</summary>
    public long BytesPerSecond => Volatile.Read(ref _bytesPerSecond);
    /// <summary>Bytes served since local midnight, or since the agent started if that was later.</summary>
    public long BytesToday => Volatile.Read(ref _bytesToday);

    internal void SetRates(long bytesPerSecond, long bytesToday)
    {
        Volatile.Write(ref _bytesPerSecond, bytesPerSecond);
        Volatile.Write(ref _bytesToday, bytesToday);
    }

    public void AddBytesServed(long bytes) => Interlocked.Add(ref _bytesServed, bytes);
    public void AddRequest() => Interlocked.Increment(ref _requests);
    public void OpenConnection() => Interlocked.Increment(ref _activeConnections);
    public void CloseConnection() => Interlocked.Decrement(ref _activeConnections);
}
