using System.Buffers;
using Polly;

namespace Box.Store.Ingest;

/// <summary>
/// Verified chunk downloads for <c>chunk.prefetch</c>: streams a URL into the
/// store's temp file while hashing it and reports <see cref="DownloadOutcome.Verified"/>
/// only when the file holds exactly <see cref="DownloadRequest.Size"/> bytes
/// whose SHA-256 is <see cref="DownloadRequest.Hash"/>, fsynced. Anything else
/// deletes the temp file. The chunk is never held in memory.
/// <para>Dropped and stalled connections and 5xx answers are retried with
/// backoff (<see cref="RetryPipeline"/>), resuming with a Range request from
/// the bytes already written. One instance per agent: it owns the HttpClient
/// (connection pool), the disk write rate shared by its downloads, and the
/// concurrency gate. The gate is here rather than with the caller because
/// every caller (each prefetch job) would otherwise need the same one; time
/// spent waiting at it counts toward no timeout, and the caller's token
/// cancels the wait.</para>
/// </summary>
public sealed class ChunkDownloader : IDisposable
{
    private readonly DownloaderOptions _options;
    private readonly HttpClient _client;
    private readonly ResiliencePipeline _pipeline;
    private readonly DownloadAttempt _attempt;
    private readonly SemaphoreSlim _gate;

    public ChunkDownloader(DownloaderOptions? options = null)
    {
        _options = options ?? new DownloaderOptions();
        _options.Validate();
        _client = OriginClient.Create(_options);
        _pipeline = RetryPipeline.Create(_options, TimeProvider.System);
        _attempt = new DownloadAttempt(_client, _options, new WriteRateLimiter(_options.WriteBytesPerSecond));
        _gate = new SemaphoreSlim(_options.MaxConcurrentDownloads, _options.MaxConcurrentDownloads);
    }

    public DownloaderOptions Options => _options;

    /// <summary>Downloads one chunk into <see cref="DownloadRequest.TempPath"/>.
    /// Failures are results, not exceptions; only cancelling
    /// <paramref name="ct"/> throws (<see cref="OperationCanceledException"/>,
    /// the temp file deleted).</summary>
    public async Task<DownloadResult> DownloadAsync(DownloadRequest request, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.TryValidate(_options, out var uri, out var problem))
            return new DownloadResult(DownloadOutcome.BadRequest, problem, 0, 0);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await RunAsync(request, uri, progress, ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<DownloadResult> RunAsync(DownloadRequest request, Uri uri, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        int attempts = 0;
        ChunkFile? file = null;
        bool verified = false;
        var buffer = ArrayPool<byte>.Shared.Rent(DownloadAttempt.BlockSize);
        using var total = CancellationTokenSource.CreateLinkedTokenSource(ct);
        total.CancelAfter(_options.TotalTimeout);
        try
        {
            file = ChunkFile.Create(request.TempPath, request.Size);
            var throttle = new ProgressThrottle(progress, request.Size, _options.ProgressInterval, TimeProvider.System);
            await _pipeline.ExecuteAsync(async token =>
            {
                attempts++;
                await _attempt.RunAsync(uri, request.Size, file, buffer, throttle, token).ConfigureAwait(false);
            }, total.Token).ConfigureAwait(false);
            var result = Verify(file, request, attempts);
            verified = result.IsVerified;
            throttle.ReportNow(file.Length);
            return result;
        }
        catch (DownloadFailure f)
        {
            var message = f.Transient && attempts > 1 ? $"{f.Message} (after {attempts} attempts)" : f.Message;
            return new DownloadResult(f.Outcome, message, file?.Length ?? 0, attempts);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new DownloadResult(DownloadOutcome.Failed,
                $"gave up after the total timeout of {_options.TotalTimeout} at {file?.Length ?? 0} of {request.Size} bytes ({attempts} attempts)",
                file?.Length ?? 0, attempts);
        }
        finally
        {
            file?.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
            if (!verified)
                DeleteQuietly(request.TempPath);
        }
    }

    private static DownloadResult Verify(ChunkFile file, DownloadRequest request, int attempts)
    {
        if (file.Length != request.Size)
            return new DownloadResult(DownloadOutcome.VerifyFailed, $"origin sent {file.Length} of {request.Size} bytes", file.Length, attempts);
        var actual = file.CurrentHash();
        if (actual != request.Hash)
            return new DownloadResult(DownloadOutcome.VerifyFailed,
                $"SHA-256 of the {file.Length} bytes received is {actual}, expected {request.Hash}", file.Length, attempts);
        file.Sync();
        return new DownloadResult(DownloadOutcome.Verified, null, file.Length, attempts);
    }

    // A temp file that cannot be deleted (the disk is gone) is the store's to
    // clean up at its next reconcile; the outcome stands.
    private static void DeleteQuietly(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public void Dispose()
    {
        _client.Dispose();
        _gate.Dispose();
    }
}
