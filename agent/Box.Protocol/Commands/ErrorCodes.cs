namespace Box.Protocol.Commands;

/// <summary>Reply error codes (docs/contract.md, "Error codes").</summary>
public static class ErrorCodes
{
    public const string BadRequest = "bad_request";
    public const string UnknownCommand = "unknown_command";
    public const string Expired = "expired";
    public const string Busy = "busy";
    public const string NotFound = "not_found";
    public const string NoDisk = "no_disk";
    public const string DiskFull = "disk_full";
    public const string VerifyFailed = "verify_failed";
    public const string Unauthorized = "unauthorized";
    public const string Internal = "internal";
}
