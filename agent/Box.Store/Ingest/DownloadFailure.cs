namespace Box.Store.Ingest;

/// <summary>Ends an attempt. <see cref="Transient"/> failures (a drop, a stall,
/// a 5xx) are retried by the pipeline; if every attempt fails, the last one's
/// <see cref="Outcome"/> and message become the result. The rest end the
/// download at once.</summary>
internal sealed class DownloadFailure(DownloadOutcome outcome, string message, bool transient = false, Exception? inner = null)
    : Exception(message, inner)
{
    public DownloadOutcome Outcome { get; } = outcome;

    public bool Transient { get; } = transient;

    public static DownloadFailure Retry(string message, Exception? inner = null) =>
        new(DownloadOutcome.Failed, message, transient: true, inner);
}
