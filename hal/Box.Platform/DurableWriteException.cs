namespace Box.Platform;

/// <summary>A durable write did not complete. <see cref="Step"/> says which
/// step failed (write, fsync, rename, directory fsync, delete); the previous
/// content of <see cref="Path"/> is still in place. An <see cref="IOException"/>
/// so callers that already handle I/O failures handle this one too.</summary>
public sealed class DurableWriteException(string path, string step, Exception? inner = null)
    : IOException($"{path}: {step} failed{(inner is null ? "" : $": {inner.Message}")}", inner)
{
    public string Path { get; } = path;
    public string Step { get; } = step;
}
