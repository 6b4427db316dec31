using Box.Agent.Serving;
using Box.Store;

namespace Box.Agent.Storage;

/// <summary>The chunk stores open now, one per mounted USB filesystem, as the
/// chunk server sees them: one reader over all of them. The store concern
/// adds a store once it is open and removes it before closing it; HTTP
/// threads read a copy-on-write array, so a lookup takes no lock.</summary>
public sealed class StoreSet : IChunkReader, IServeRecorder
{
    private volatile ChunkStore[] _stores = [];
    private readonly object _gate = new();

    public IReadOnlyList<ChunkStore> Stores => _stores;

    public void Add(ChunkStore store)
    {
        lock (_gate) _stores = [.. _stores, store];
    }

    public void Remove(ChunkStore store)
    {
        lock (_gate) _stores = [.. _stores.Where(s => !ReferenceEquals(s, store))];
    }

    /// <summary>The first store that has the chunk; NotFound when a store
    /// answered but none has it; Unavailable when no store could answer (no disk).</summary>
    public ChunkRead OpenRead(ChunkHash hash)
    {
        var stores = _stores;
        string? problem = stores.Length == 0 ? "no USB disk with a chunk store" : null;
        bool answered = false;
        foreach (var store in stores)
        {
            var read = store.OpenRead(hash);
            switch (read.Status)
            {
                case ChunkReadStatus.Found:
                    return read;
                case ChunkReadStatus.NotFound:
                    answered = true;
                    break;
                default:
                    problem ??= read.Problem;
                    break;
            }
        }
        return answered ? ChunkRead.NotFound : ChunkRead.Unavailable(problem ?? "chunk store unavailable");
    }

    /// <summary>Served figures go to the store holding the chunk (its eviction value).</summary>
    public void Record(in ServedRequest served)
    {
        foreach (var store in _stores)
        {
            if (store.MayHold(served.Hash))
            {
                store.NoteServed(served.Hash, served.Bytes, served.At);
                return;
            }
        }
    }
}
