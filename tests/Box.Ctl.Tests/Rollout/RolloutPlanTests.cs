using Box.Ctl.Cli;
using Box.Ctl.Rollout;

namespace Box.Ctl.Tests.Rollout;

public sealed class RolloutPlanTests
{
    static List<string> Fleet(int n) => Enumerable.Range(1, n).Select(i => $"b{i}").ToList();

    [Fact]
    public void Cumulative_steps_resolve_counts_and_percentages_of_the_fleet()
    {
        var plan = RolloutPlan.BySteps(Fleet(100), "1,5,25,100%");

        Assert.Equal([1, 4, 20, 75], plan.Waves.Select(w => w.Count));
        Assert.Equal("b1", plan.Waves[0][0]);
        Assert.Equal("b2", plan.Waves[1][0]);
        Assert.Equal("b100", plan.Waves[3][^1]);
    }

    [Fact]
    public void Percentages_round_up_and_empty_steps_are_dropped()
    {
        var plan = RolloutPlan.BySteps(Fleet(3), "1,10%,50%,100%");

        // 10% of 3 = 0.3 -> 1 (no new box), 50% -> 2, 100% -> 3
        Assert.Equal([1, 1, 1], plan.Waves.Select(w => w.Count));
    }

    [Fact]
    public void Counts_larger_than_the_fleet_cap_at_the_fleet()
    {
        Assert.Equal([1, 2], RolloutPlan.BySteps(Fleet(3), "1,5,100%").Waves.Select(w => w.Count));
    }

    [Theory]
    [InlineData("1,5", "covers 5 of 10")]
    [InlineData("5,2,100%", "must not decrease")]
    [InlineData("0,100%", "box count")]
    [InlineData("abc", "box count")]
    [InlineData("1,150%", "percentage")]
    public void Bad_steps_are_refused_with_the_reason(string steps, string fragment)
    {
        var ex = Assert.Throws<UsageException>(() => RolloutPlan.BySteps(Fleet(10), steps));
        Assert.Contains(fragment, ex.Message);
    }

    [Fact]
    public void Fixed_size_waves_keep_order_and_the_last_is_the_remainder()
    {
        var plan = RolloutPlan.BySize(Fleet(7), 3);

        Assert.Equal([3, 3, 1], plan.Waves.Select(w => w.Count));
        Assert.Equal(["b7"], plan.Waves[2]);
    }

    [Fact]
    public void Ids_skip_blanks_and_comments_and_refuse_duplicates_and_bad_ids()
    {
        Assert.Equal(["a", "b"], RolloutPlan.ParseIds(["a", "", "# canary", " b "], "f"));
        Assert.Contains("listed twice", Assert.Throws<UsageException>(() => RolloutPlan.ParseIds(["a", "a"], "f")).Message);
        Assert.Throws<UsageException>(() => RolloutPlan.ParseIds(["a/b"], "f"));
        Assert.Throws<UsageException>(() => RolloutPlan.ParseIds(["# only a comment"], "f"));
    }
}
