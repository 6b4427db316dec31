using Box.UsageCrash;
using Xunit.Abstractions;

namespace Box.Agent.Tests.Usage;

/// <summary>The ledger in a child process SIGKILLed at random points
/// (start-up and replay, recording, cutting, handing reports to a real
/// offline queue), hundreds of times on one directory; see
/// tests/Box.UsageCrash. scripts/bench.d/usage-crash runs thousands.</summary>
public sealed class UsageLedgerCrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new("usage-crash");

    [Fact]
    public void SigkilledAtRandomPointsNoAcknowledgedByteIsLostOrCountedTwiceAndNoSeqReused()
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("BOX_USAGE_CRASH_ITERATIONS"), out var n) ? n : 200;
        var seed = Environment.TickCount & 0xFFFF; // a different sample each run; the seed is in the message
        var check = CrashCampaign.Run(_dir.Path, iterations, seed);
        output.WriteLine($"seed {seed}: {check.Summary}");
        Assert.True(check.Ok, $"seed {seed}: {check.Summary}\n{string.Join("\n", check.Problems)}");
        Assert.Equal(iterations, check.Kills);
        Assert.Equal(0, check.BytesLost);
        Assert.Equal(0, check.BytesCountedTwice);
        Assert.True(check.AckedRequests > iterations, $"the child recorded too little to mean anything: {check.Summary}");
    }

    public void Dispose() => _dir.Dispose();
}
