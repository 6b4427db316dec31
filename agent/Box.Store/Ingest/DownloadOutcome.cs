namespace Box.Store.Ingest;

/// <summary>How a download ended. Each failure maps to exactly one error code
/// of the <c>chunk.prefetch</c> contract (<see cref="DownloadOutcomeCodes.ErrorCode"/>),
/// so the command handler passes the code through without interpreting it.</summary>
public enum DownloadOutcome
{
    /// <summary>The temp file holds exactly the chunk: size and SHA-256 match, fsynced.</summary>
    Verified,

    /// <summary>The request itself is unusable (scheme, size, path); nothing was fetched.</summary>
    BadRequest,

    /// <summary>The origin answered, but with other bytes than the chunk: wrong
    /// hash, too short, too long, or a Content-Length / Content-Range that
    /// disagrees with the expected size.</summary>
    VerifyFailed,

    /// <summary>The USB disk has no room (ENOSPC, EDQUOT).</summary>
    DiskFull,

    /// <summary>The disk went away under the download: the temp directory
    /// vanished, EIO, ENODEV, a read-only remount.</summary>
    NoDisk,

    /// <summary>The origin says the URL names nothing (404, 410).</summary>
    NotFound,

    /// <summary>The origin could not be fetched: network errors, stalls, 5xx or
    /// 429 after every attempt, other 4xx, a redirect loop, the total timeout.</summary>
    Failed,
}

public static class DownloadOutcomeCodes
{
    /// <summary>The contract's error code for <paramref name="outcome"/>; null for
    /// <see cref="DownloadOutcome.Verified"/>. The contract has no code for "the
    /// origin failed", so <see cref="DownloadOutcome.Failed"/> is <c>internal</c>;
    /// its message names the HTTP status or network error.</summary>
    public static string? ErrorCode(this DownloadOutcome outcome) => outcome switch
    {
        DownloadOutcome.Verified => null,
        DownloadOutcome.BadRequest => "bad_request",
        DownloadOutcome.VerifyFailed => "verify_failed",
        DownloadOutcome.DiskFull => "disk_full",
        DownloadOutcome.NoDisk => "no_disk",
        DownloadOutcome.NotFound => "not_found",
        DownloadOutcome.Failed => "internal",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
