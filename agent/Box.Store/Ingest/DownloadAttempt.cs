using System.Net.Http.Headers;

namespace Box.Store.Ingest;

/// <summary>One HTTP request of a download: asks for the bytes after those
/// already in the temp file (a Range request when there are some), checks the
/// answer, and streams the body through the hash into the file. Ends when the
/// body ends, or with a <see cref="DownloadFailure"/>; a lost or stalled
/// connection first writes what did arrive, so the next attempt resumes
/// after it.</summary>
internal sealed class DownloadAttempt(HttpClient client, DownloaderOptions options, WriteRateLimiter limiter)
{
    /// <summary>Bytes gathered from the network before one disk write: few
    /// large writes suit USB disks and keep the per-write costs (rate limiter,
    /// hash call) off the per-packet path.</summary>
    public const int BlockSize = 256 << 10;

    public async Task RunAsync(Uri uri, long size, ChunkFile file, byte[] buffer, ProgressThrottle progress, CancellationToken ct)
    {
        long offset = file.Length;
        if (offset == size)
            return;
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (offset > 0)
            request.Headers.Range = new RangeHeaderValue(offset, null);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stall.CancelAfter(options.StallTimeout);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw DownloadFailure.Retry($"request to the origin failed: {Reason(e)}", e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw DownloadFailure.Retry($"origin sent no response within {options.StallTimeout.TotalSeconds:0.###} s", e);
        }
        using (response)
        {
            switch (OriginResponse.BodyStart(response, offset, size, options.MaxRedirects))
            {
                case null:
                    file.Restart();
                    progress.ReportNow(0);
                    throw DownloadFailure.Retry($"origin's Content-Range {response.Content.Headers.ContentRange} does not start at the resume offset {offset}; starting over");
                case 0 when offset > 0:
                    file.Restart(); // the origin ignored Range and sends everything again
                    progress.ReportNow(0);
                    break;
            }
            await CopyBodyAsync(response, size, file, buffer, progress, stall, ct).ConfigureAwait(false);
        }
    }

    private async Task CopyBodyAsync(HttpResponseMessage response, long size, ChunkFile file, byte[] buffer,
        ProgressThrottle progress, CancellationTokenSource stall, CancellationToken ct)
    {
        int filled = 0;
        try
        {
            using var body = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false);
            while (true)
            {
                // Ask for at most one byte past the chunk: an origin sending
                // endless data is caught at the first byte too many.
                long remaining = size - file.Length - filled;
                int window = (int)Math.Min(buffer.Length - filled, remaining + 1);
                stall.CancelAfter(options.StallTimeout);
                int n = await body.ReadAsync(buffer.AsMemory(filled, window), stall.Token).ConfigureAwait(false);
                if (n == 0)
                    break;
                if (n > remaining)
                    throw new DownloadFailure(DownloadOutcome.VerifyFailed, $"origin sent more than the expected size of {size} bytes");
                filled += n;
                if (filled == buffer.Length)
                    filled = await FlushAsync(file, buffer, filled, progress, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            await FlushAsync(file, buffer, filled, progress, ct).ConfigureAwait(false);
            throw DownloadFailure.Retry(e is OperationCanceledException
                ? $"origin stalled: no data for {options.StallTimeout.TotalSeconds:0.###} s at {file.Length} of {size} bytes"
                : $"connection to the origin lost at {file.Length} of {size} bytes: {Reason(e)}", e);
        }
        await FlushAsync(file, buffer, filled, progress, ct).ConfigureAwait(false);
        if (file.Length < size)
            // Without a Content-Length a dropped connection looks like a short
            // body: resume; an origin that really has fewer bytes answers 416.
            throw new DownloadFailure(DownloadOutcome.VerifyFailed, $"origin sent only {file.Length} of {size} bytes", transient: true);
    }

    private async Task<int> FlushAsync(ChunkFile file, byte[] buffer, int filled, ProgressThrottle progress, CancellationToken ct)
    {
        if (filled == 0)
            return 0;
        await limiter.WaitAsync(filled, ct).ConfigureAwait(false);
        await file.AppendAsync(buffer.AsMemory(0, filled), ct).ConfigureAwait(false);
        progress.Report(file.Length);
        return 0;
    }

    /// <summary>One line: the exception's message and its causes' (the socket error is usually inner).</summary>
    private static string Reason(Exception e)
    {
        var parts = new List<string>();
        for (var x = e; x is not null; x = x.InnerException)
            if (!parts.Contains(x.Message))
                parts.Add(x.Message);
        return string.Join(": ", parts);
    }
}
