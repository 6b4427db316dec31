using Microsoft.Win32.SafeHandles;

namespace Box.Store;

public enum ChunkReadStatus
{
    /// <summary>The chunk is stored and verified; <see cref="ChunkRead.File"/> is open.</summary>
    Found,
    /// <summary>No verified chunk of that hash (absent, still being reconciled, or evicted).</summary>
    NotFound,
    /// <summary>No store can answer: no disk, the disk is gone or failing (HTTP 503).</summary>
    Unavailable,
}

/// <summary>The answer to <see cref="IChunkReader.OpenRead"/>. When Found the
/// caller owns <see cref="File"/> (a plain handle, which the HTTP server
/// sendfile(2)s; read it positionally, e.g. with RandomAccess) and disposes it.
/// <see cref="Length"/> is the file's length when it was opened.</summary>
public readonly record struct ChunkRead(ChunkReadStatus Status, SafeFileHandle? File, long Length, string? Problem)
{
    public static ChunkRead NotFound => new(ChunkReadStatus.NotFound, null, 0, null);
    public static ChunkRead Unavailable(string problem) => new(ChunkReadStatus.Unavailable, null, 0, problem);
}

/// <summary>Opens stored chunks for serving. Called concurrently from HTTP
/// threads; must not block on a slow disk for longer than an open(2).</summary>
public interface IChunkReader
{
    ChunkRead OpenRead(ChunkHash hash);
}
