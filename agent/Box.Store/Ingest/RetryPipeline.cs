using Polly;
using Polly.Retry;

namespace Box.Store.Ingest;

/// <summary>The retry schedule of one download: exponential backoff with
/// jitter (Polly's decorrelated jitter, so boxes told to prefetch the same
/// chunk from one origin do not retry in step), a bounded number of attempts,
/// and only <see cref="DownloadFailure.Transient"/> failures retried. A wrong
/// hash, a 404 or a full disk will not change by asking again.</summary>
internal static class RetryPipeline
{
    public static ResiliencePipeline Create(DownloaderOptions options, TimeProvider time)
    {
        if (options.MaxAttempts == 1)
            return ResiliencePipeline.Empty;
        return new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BackoffBase,
                MaxDelay = options.BackoffMax,
                ShouldHandle = new PredicateBuilder().Handle<DownloadFailure>(f => f.Transient),
            })
            .Build();
    }
}
