using Box.Store.Ingest;

namespace Box.Store.Tests.Ingest;

public class DownloadOutcomeTests
{
    /// <summary>The error codes of PROTOCOL.md.</summary>
    private static readonly string[] ContractCodes =
        ["bad_request", "unknown_command", "expired", "busy", "not_found", "no_disk", "disk_full", "verify_failed", "unauthorized", "internal"];

    [Fact]
    public void Every_failure_maps_to_one_distinct_contract_code_and_verified_to_none()
    {
        Assert.Null(DownloadOutcome.Verified.ErrorCode());
        var failures = Enum.GetValues<DownloadOutcome>().Where(o => o != DownloadOutcome.Verified).ToList();
        var codes = failures.Select(o => o.ErrorCode()!).ToList();
        Assert.All(codes, c => Assert.Contains(c, ContractCodes));
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    [Theory]
    [InlineData(DownloadOutcome.BadRequest, "bad_request")]
    [InlineData(DownloadOutcome.VerifyFailed, "verify_failed")]
    [InlineData(DownloadOutcome.DiskFull, "disk_full")]
    [InlineData(DownloadOutcome.NoDisk, "no_disk")]
    [InlineData(DownloadOutcome.NotFound, "not_found")]
    [InlineData(DownloadOutcome.Failed, "internal")]
    public void The_mapping_is_the_documented_one(DownloadOutcome outcome, string code)
    {
        Assert.Equal(code, outcome.ErrorCode());
        Assert.Equal(code, new DownloadResult(outcome, "m", 0, 1).ErrorCode);
    }
}
