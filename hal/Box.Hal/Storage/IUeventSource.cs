namespace Box.Hal.Storage;

/// <summary>Where a storage watcher gets kernel uevents from: the netlink socket on
/// a real board, a tailed file on the simulated one.</summary>
public interface IUeventSource : IDisposable
{
    /// <summary>Blocks until the next uevent (unparseable datagrams are skipped);
    /// null once <paramref name="cancel"/> fires. Throws IOException when the source breaks.</summary>
    Uevent? Receive(CancellationToken cancel);
}
