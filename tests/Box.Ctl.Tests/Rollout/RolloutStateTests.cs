using Box.Ctl.Rollout;

namespace Box.Ctl.Tests.Rollout;

public sealed class RolloutStateTests
{
    static RolloutState State(int boxes, int waveSize, long? maxFailures = null, double? maxPercent = null) =>
        new(RolloutPlan.BySize(Enumerable.Range(1, boxes).Select(i => $"b{i}").ToList(), waveSize),
            FailureThreshold.Create(maxFailures, maxPercent));

    static void RunWave(RolloutState state, params BoxResult[] results)
    {
        var wave = state.StartWave();
        for (int i = 0; i < wave.Count; i++)
            state.Record(new BoxOutcome(wave[i], results[i], "test"));
        state.FinishWave();
    }

    [Fact]
    public void Default_threshold_halts_on_the_first_failure_and_hands_out_no_further_wave()
    {
        var state = State(3, 1);

        RunWave(state, BoxResult.Updated);
        Assert.False(state.IsFinished);
        RunWave(state, BoxResult.RolledBack);

        Assert.True(state.ThresholdExceeded);
        Assert.True(state.Halted);
        Assert.True(state.IsFinished);
        Assert.Equal(["b3"], state.NotReached);
        Assert.Throws<InvalidOperationException>(() => state.StartWave());
    }

    [Fact]
    public void One_tolerated_failure_lets_the_rollout_complete()
    {
        var state = State(3, 1, maxFailures: 1);

        RunWave(state, BoxResult.Updated);
        RunWave(state, BoxResult.Failed);
        RunWave(state, BoxResult.Updated);

        Assert.False(state.ThresholdExceeded);
        Assert.False(state.Halted);
        Assert.True(state.IsFinished);
        Assert.Equal(1, state.Failures);
        Assert.Equal(3, state.Asked);
        Assert.Empty(state.NotReached);
    }

    [Fact]
    public void Percentage_counts_only_boxes_that_were_asked()
    {
        var state = State(6, 3, maxPercent: 50);

        // 1 failure of 2 asked (one skipped offline) = 50%: not more than 50%.
        RunWave(state, BoxResult.Updated, BoxResult.TimedOut, BoxResult.Skipped);
        Assert.False(state.ThresholdExceeded);
        Assert.Equal(2, state.Asked);

        RunWave(state, BoxResult.Failed, BoxResult.AlreadyCurrent, BoxResult.Updated);
        // 2 of 4 asked = 50%: still tolerated; the rollout completes.
        Assert.False(state.ThresholdExceeded);
        Assert.True(state.IsFinished);
    }

    [Fact]
    public void Failures_in_the_last_wave_exceed_without_halting()
    {
        var state = State(2, 1);

        RunWave(state, BoxResult.Updated);
        RunWave(state, BoxResult.TimedOut);

        Assert.True(state.ThresholdExceeded);
        Assert.False(state.Halted);
    }

    [Fact]
    public void A_wave_cannot_finish_without_every_outcome_nor_take_strangers()
    {
        var state = State(2, 2);
        var wave = state.StartWave();
        state.Record(new BoxOutcome(wave[0], BoxResult.Updated, ""));

        Assert.Throws<InvalidOperationException>(() => state.Record(new BoxOutcome("zz", BoxResult.Updated, "")));
        Assert.Throws<InvalidOperationException>(() => state.Record(new BoxOutcome(wave[0], BoxResult.Failed, "")));
        Assert.Throws<InvalidOperationException>(() => state.FinishWave());
    }

    [Theory]
    [InlineData(null, null, 1, 10, true)]
    [InlineData(2L, null, 2, 10, false)]
    [InlineData(2L, null, 3, 10, true)]
    [InlineData(null, 10.0, 1, 10, false)]
    [InlineData(null, 10.0, 2, 10, true)]
    [InlineData(5L, 10.0, 2, 10, true)]
    public void Threshold_is_exceeded_only_above_its_limits(long? max, double? percent, int failures, int asked, bool exceeded)
    {
        Assert.Equal(exceeded, FailureThreshold.Create(max, percent).IsExceeded(failures, asked));
    }
}
