namespace Box.Store;

/// <summary>The index could not be opened, read or written (a LiteDB failure,
/// garbage bytes, another store's index). The store answers by rebuilding it
/// from the chunk files; it never stops serving because of it.</summary>
internal sealed class IndexBrokenException(string path, Exception inner)
    : StoreException(path, "index is unusable", inner);
