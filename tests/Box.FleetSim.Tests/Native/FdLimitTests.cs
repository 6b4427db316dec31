using Box.FleetSim.Native;

namespace Box.FleetSim.Tests.Native;

public sealed class FdLimitTests
{
    [Fact]
    public void RaisingToTheCurrentSoftLimitIsANoOp()
    {
        var (soft, hard) = FdLimit.Current;
        Assert.True(soft <= hard);
        Assert.Equal(soft, FdLimit.Raise(soft, out var problem));
        Assert.Null(problem);
    }

    [Fact]
    public void AnImpossibleLimitIsRefusedWithAMessageSayingWhatToDo()
    {
        // Above fs.nr_open: no process may have it, privileged or not.
        Assert.Null(FdLimit.Raise(1UL << 40, out var problem));
        Assert.Contains("open-file limit too low", problem, StringComparison.Ordinal);
        Assert.Contains("ulimit -Hn", problem, StringComparison.Ordinal);
        Assert.Equal(FdLimit.Current.Hard, FdLimit.Current.Soft);
    }
}
