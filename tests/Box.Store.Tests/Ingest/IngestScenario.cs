using Box.Store.Ingest;

namespace Box.Store.Tests.Ingest;

/// <summary>An origin, a downloader and a temp dir standing in for the USB
/// disk's tmp/, torn down together.</summary>
public sealed class IngestScenario : IAsyncDisposable
{
    /// <summary>Quick retries; stalls and totals long enough for a loaded
    /// 2-core machine (only the stall tests shorten the stall timeout).</summary>
    public static readonly DownloaderOptions FastRetries = new()
    {
        MaxAttempts = 4,
        BackoffBase = TimeSpan.FromMilliseconds(10),
        BackoffMax = TimeSpan.FromMilliseconds(50),
        StallTimeout = TimeSpan.FromSeconds(15),
        TotalTimeout = TimeSpan.FromSeconds(90),
        MaxChunkSize = 16 << 20,
    };

    private readonly TempDir _dir = new("ingest");

    public IngestScenario(OriginHandler handler, DownloaderOptions? options = null)
    {
        Origin = new TestOrigin(handler);
        Downloader = new ChunkDownloader(options ?? FastRetries);
        Directory.CreateDirectory(_dir["tmp"]);
    }

    public TestOrigin Origin { get; }

    public ChunkDownloader Downloader { get; }

    public string TempPath => _dir["tmp/chunk.part"];

    public string TempDirectory => _dir["tmp"];

    public DownloadRequest RequestFor(byte[] content, string path = "/chunk") =>
        new(Origin.Url(path), ChunkHash.Of(content), content.Length, TempPath);

    public Task<DownloadResult> DownloadAsync(byte[] content, string path = "/chunk",
        IProgress<DownloadProgress>? progress = null, CancellationToken ct = default) =>
        Downloader.DownloadAsync(RequestFor(content, path), progress, ct);

    public static byte[] Bytes(int size, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        Downloader.Dispose();
        await Origin.DisposeAsync();
        _dir.Dispose();
    }
}
