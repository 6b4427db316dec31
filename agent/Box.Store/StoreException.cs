namespace Box.Store;

/// <summary>A store operation failed. The message names the path and the
/// problem; an <see cref="IOException"/> so callers that already handle I/O
/// failures handle this one too. Nothing half-done is left in chunks/.</summary>
public class StoreException : IOException
{
    public StoreException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}{(inner is null ? "" : $": {inner.Message}")}", inner)
    {
        Path = path;
        Problem = problem;
    }

    public string Path { get; }
    public string Problem { get; }
}

/// <summary>No room within the quota: the pinned chunks alone would exceed it
/// (contract code <c>disk_full</c>), or the filesystem itself is full (ENOSPC).</summary>
public sealed class StoreFullException(string path, string problem, Exception? inner = null)
    : StoreException(path, problem, inner);

/// <summary>The disk is gone, unmounted, read-only or failing: the store cannot
/// do what was asked until a disk is back (contract code <c>no_disk</c>).</summary>
public sealed class StoreUnavailableException(string path, string problem, Exception? inner = null)
    : StoreException(path, problem, inner);
