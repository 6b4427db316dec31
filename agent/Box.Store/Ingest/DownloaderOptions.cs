using System.Reflection;

namespace Box.Store.Ingest;

/// <summary>Knobs of <see cref="ChunkDownloader"/>; the defaults are for a box on
/// a home uplink writing to a USB disk.</summary>
public sealed record DownloaderOptions
{
    /// <summary>HTTP requests per download, the first included. Each retry
    /// resumes from the bytes already on disk, so attempts are cheap.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Exponential backoff with jitter between attempts: about
    /// base·2^n, never above <see cref="BackoffMax"/>.</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>No byte (or no response headers) for this long ends the attempt;
    /// a mobile uplink can pause for seconds, a dead one never resumes.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The whole download, retries and backoff included: 64 MiB at
    /// 1 Mbit/s takes about 9 minutes.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Larger claimed sizes are a bad request, before any byte is fetched.</summary>
    public long MaxChunkSize { get; init; } = 64L << 20;

    /// <summary>Disk write rate shared by all downloads of one downloader, bytes/s;
    /// 0 = unlimited. Keeps the USB disk free enough to go on serving.</summary>
    public long WriteBytesPerSecond { get; init; }

    /// <summary>Downloads running at once; callers beyond wait in
    /// <see cref="ChunkDownloader.DownloadAsync"/>. Two keep a slow origin
    /// from idling the uplink without thrashing a USB stick with seeks.</summary>
    public int MaxConcurrentDownloads { get; init; } = 2;

    /// <summary>Redirects followed per request; more (a loop) fails the download.</summary>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>Progress is reported at most this often (and once at the end).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public string UserAgent { get; init; } = DefaultUserAgent;

    /// <summary>"box-agent/0.1.0": the build's version without the "+commit" suffix.</summary>
    public static string DefaultUserAgent { get; } = "box-agent/" + (typeof(DownloaderOptions).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    /// <summary>Throws <see cref="ArgumentException"/> naming the first unusable value.</summary>
    public void Validate()
    {
        Require(MaxAttempts >= 1, nameof(MaxAttempts), "at least 1");
        Require(BackoffBase >= TimeSpan.Zero && BackoffMax >= BackoffBase, nameof(BackoffMax), "at least BackoffBase, which is at least 0");
        Require(ConnectTimeout > TimeSpan.Zero, nameof(ConnectTimeout), "positive");
        Require(StallTimeout > TimeSpan.Zero, nameof(StallTimeout), "positive");
        Require(TotalTimeout > TimeSpan.Zero, nameof(TotalTimeout), "positive");
        Require(MaxChunkSize > 0, nameof(MaxChunkSize), "positive");
        Require(WriteBytesPerSecond >= 0, nameof(WriteBytesPerSecond), "0 (unlimited) or positive");
        Require(MaxConcurrentDownloads >= 1, nameof(MaxConcurrentDownloads), "at least 1");
        Require(MaxRedirects >= 0, nameof(MaxRedirects), "0 or more");
        Require(ProgressInterval >= TimeSpan.Zero, nameof(ProgressInterval), "0 or more");
        Require(!string.IsNullOrWhiteSpace(UserAgent), nameof(UserAgent), "not empty");
    }

    private static void Require(bool ok, string name, string what)
    {
        if (!ok)
            throw new ArgumentException($"downloader option {name} must be {what}", name);
    }
}
