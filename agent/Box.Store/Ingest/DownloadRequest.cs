using System.Diagnostics.CodeAnalysis;

namespace Box.Store.Ingest;

/// <summary>One chunk to fetch: where from, what it must be, and the temp file
/// the store chose for it (in tmp/ on the same USB filesystem, so the store can
/// rename it into place once verified).</summary>
public sealed record DownloadRequest(string Url, ChunkHash Hash, long Size, string TempPath)
{
    /// <summary>The checks done before any byte is fetched; <paramref name="problem"/>
    /// names the first one that fails.</summary>
    internal bool TryValidate(DownloaderOptions options, [NotNullWhen(true)] out Uri? uri, [NotNullWhen(false)] out string? problem)
    {
        uri = null;
        problem = null;
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
            problem = $"url must be an absolute http or https URL, got '{Truncate(Url)}'";
        else if (Size <= 0)
            problem = $"size must be positive, got {Size}";
        else if (Size > options.MaxChunkSize)
            problem = $"size {Size} is above the largest chunk accepted ({options.MaxChunkSize} bytes)";
        else if (string.IsNullOrEmpty(TempPath) || !Path.IsPathFullyQualified(TempPath) || Path.EndsInDirectorySeparator(TempPath))
            problem = $"temp path must be an absolute file path, got '{TempPath}'";
        else
            uri = parsed;
        return uri is not null;
    }

    // A URL comes from the cloud; a message quoting it stays one short line.
    private static string Truncate(string? text) =>
        text is null ? "" : text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");
}
