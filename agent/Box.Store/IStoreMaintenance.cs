using LiteDB;

namespace Box.Store;

/// <summary>What the background loops (reconcile, scrub) may do to the store.
/// Implemented by <see cref="ChunkStore"/>, which serialises every change
/// with its ingest and eviction.</summary>
internal interface IStoreMaintenance
{
    StoreLayout Layout { get; }
    TimeProvider Time { get; }
    void Log(string line);
    bool TryGetRow(ChunkHash hash, out ChunkRow row);
    /// <summary>Indexed with this size (from memory once the presence set is loaded).</summary>
    bool HasRow(ChunkHash hash, long size);
    List<ChunkRow> ScanRows(ChunkHash? after, int limit);
    /// <summary>Adds the rows of verified files (skipping any that appeared
    /// meanwhile) and saves the cursor, in one transaction.</summary>
    void Adopt(IReadOnlyList<ChunkRow> rows, string cursorName, BsonDocument cursor);
    /// <summary>Removes a row whose file is gone.</summary>
    void DropRow(ChunkHash hash);
    /// <summary>Removes a chunk whose bytes do not match its name and reports it.</summary>
    void Condemn(ChunkHash hash, string problem);
    bool IsReservedTemp(string path);
    BsonDocument? LoadCursor(string name);
    void SaveCursor(string name, BsonDocument? cursor);
}
