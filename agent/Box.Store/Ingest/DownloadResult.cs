namespace Box.Store.Ingest;

/// <summary>The end of one download. <paramref name="Message"/> is null when
/// verified, else one line naming what was wrong (the actual hash, the byte
/// counts, the HTTP status, the errno). <paramref name="Bytes"/> is what the
/// temp file held at the end (it is deleted unless verified);
/// <paramref name="Attempts"/> counts HTTP requests including retries.</summary>
public sealed record DownloadResult(DownloadOutcome Outcome, string? Message, long Bytes, int Attempts)
{
    public bool IsVerified => Outcome == DownloadOutcome.Verified;

    /// <summary>The contract's error code, null when verified.</summary>
    public string? ErrorCode => Outcome.ErrorCode();
}
