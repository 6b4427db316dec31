namespace Box.Store.Ingest;

/// <summary>Bytes in the temp file so far out of the chunk's size. Bytes can go
/// down: an origin that ignores Range makes the download start over.</summary>
public readonly record struct DownloadProgress(long Bytes, long Size)
{
    public int Percent => Size <= 0 ? 0 : (int)Math.Min(100, Bytes * 100 / Size);
}
