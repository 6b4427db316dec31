using System.Net;

namespace Box.Store.Ingest;

/// <summary>Reads an origin's answer against what was asked: the chunk's
/// size and the resume offset. Decides where the body starts, or throws the
/// <see cref="DownloadFailure"/> that ends (or retries) the attempt.</summary>
internal static class OriginResponse
{
    /// <summary>The position in the chunk of the body's first byte:
    /// <paramref name="offset"/> when the origin honoured the Range request,
    /// 0 when it sends the whole chunk again; null for a 206 of other bytes
    /// than asked for, whose body is useless (the caller starts over).</summary>
    public static long? BodyStart(HttpResponseMessage response, long offset, long size, int maxRedirects)
    {
        var status = response.StatusCode;
        if (status == HttpStatusCode.OK)
        {
            // An origin that ignores Range sends everything again: start over.
            CheckLength(response, size, "the expected size");
            CheckEncoding(response);
            return 0;
        }
        if (status == HttpStatusCode.PartialContent)
            return PartialStart(response, offset, size);
        if (status == HttpStatusCode.RequestedRangeNotSatisfiable && offset > 0)
        {
            var total = response.Content.Headers.ContentRange?.Length;
            throw new DownloadFailure(DownloadOutcome.VerifyFailed,
                $"origin has fewer bytes than expected: HTTP 416 for bytes={offset}- (origin length {total?.ToString() ?? "not given"}, expected size {size})");
        }
        var what = $"origin answered {Describe(response)}";
        throw (int)status switch
        {
            404 or 410 => new DownloadFailure(DownloadOutcome.NotFound, what),
            408 or 429 or >= 500 => DownloadFailure.Retry(what),
            >= 300 and < 400 => new DownloadFailure(DownloadOutcome.Failed,
                $"{what}: not followed (a redirect loop, more than {maxRedirects} redirects, or https to http)"),
            _ => new DownloadFailure(DownloadOutcome.Failed, what),
        };
    }

    public static string Describe(HttpResponseMessage response) =>
        $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();

    private static long? PartialStart(HttpResponseMessage response, long offset, long size)
    {
        var range = response.Content.Headers.ContentRange;
        if (range is null || !range.HasRange || range.Unit != "bytes")
            throw new DownloadFailure(DownloadOutcome.Failed, $"origin answered HTTP 206 without a usable Content-Range ({range?.ToString() ?? "none"})");
        if (range.HasLength && range.Length != size)
            throw new DownloadFailure(DownloadOutcome.VerifyFailed,
                $"origin's Content-Range {range} gives length {range.Length}, expected size {size}");
        if (range.From != offset)
            return null;
        if (range.To is not { } to || to < offset || to >= size)
            throw new DownloadFailure(DownloadOutcome.VerifyFailed, $"origin's Content-Range {range} does not fit the expected size {size}");
        CheckLength(response, to - offset + 1, $"its Content-Range {range}");
        CheckEncoding(response);
        return offset;
    }

    private static void CheckLength(HttpResponseMessage response, long expected, string against)
    {
        var length = response.Content.Headers.ContentLength;
        if (length is { } l && l != expected)
            throw new DownloadFailure(DownloadOutcome.VerifyFailed, $"origin's Content-Length {l} differs from {against} ({expected})");
    }

    private static void CheckEncoding(HttpResponseMessage response)
    {
        var encodings = response.Content.Headers.ContentEncoding;
        if (encodings.Count > 0 && !(encodings.Count == 1 && encodings.First() == "identity"))
            throw new DownloadFailure(DownloadOutcome.VerifyFailed,
                $"origin sent Content-Encoding {string.Join(", ", encodings)}; a chunk must be sent as stored");
    }
}
