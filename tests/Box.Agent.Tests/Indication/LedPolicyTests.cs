using Box.Agent.Indication;
using Box.Hal;

namespace Box.Agent.Tests.Indication;

public class LedPolicyTests
{
    /// <summary>Everything fine: online, disk mounted, idle.</summary>
    private static readonly LedInputs Healthy = new() { Network = NetworkState.Online, Disk = DiskState.Mounted };

    /// <summary>Each row of the table in LedPolicy / agent/README.md, highest priority first,
    /// applied on top of every lower row's condition so the row must win.</summary>
    public static TheoryData<string, LedPattern, StatusCondition> Rows => new()
    {
        { "factory-reset", LedPattern.BlinkFast, StatusCondition.FactoryReset },
        { "hold-pairing", LedPattern.BlinkSlow, StatusCondition.HoldForPairing },
        { "identify", LedPattern.BlinkFast, StatusCondition.Identify },
        { "updating", LedPattern.Heartbeat, StatusCondition.Updating },
        { "error", LedPattern.BlinkFast, StatusCondition.Error },
        { "pairing", LedPattern.BlinkSlow, StatusCondition.PairingWindow },
        { "booting", LedPattern.Pulse, StatusCondition.Booting },
        { "no-network", LedPattern.Pulse, StatusCondition.NoNetwork },
        { "no-disk", LedPattern.On, StatusCondition.NoDisk },
        { "disk-full", LedPattern.On, StatusCondition.DiskFull },
        { "serving", LedPattern.On, StatusCondition.Serving },
        { "online", LedPattern.On, StatusCondition.Online },
    };

    private static readonly string[] Order =
        ["factory-reset", "hold-pairing", "identify", "updating", "error", "pairing", "booting", "no-network", "no-disk", "disk-full", "serving", "online"];

    private static LedInputs With(LedInputs s, string row) => row switch
    {
        "factory-reset" => s with { FactoryReset = true },
        "hold-pairing" => s with { Hold = HoldFeedback.Pairing },
        "identify" => s with { Identify = true },
        "updating" => s with { Updating = true },
        "error" => s with { Error = true },
        "pairing" => s with { PairingWindow = true },
        "booting" => s with { Booting = true },
        "no-network" => s with { Network = NetworkState.Connecting },
        // "no disk" and "disk full" are exclusive disk states: the lower row cannot be stacked under them.
        "no-disk" => s with { Disk = DiskState.None },
        "disk-full" => s.Disk == DiskState.None ? s : s with { Disk = DiskState.Full },
        "serving" => s with { Serving = true },
        _ => s,
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_condition_beats_every_lower_one(string row, LedPattern status, StatusCondition condition)
    {
        var state = Healthy;
        // Stack all lower-priority conditions first, then this one.
        for (var i = Order.Length - 1; i > Array.IndexOf(Order, row); i--)
            state = With(state, Order[i]);
        state = With(state, row);
        var leds = LedPolicy.Decide(state);
        Assert.Equal(condition, leds.Condition);
        Assert.Equal(status, leds.Status);
    }

    [Fact]
    public void Factory_reset_flashes_every_led_even_when_armed_by_holding()
    {
        var leds = LedPolicy.Decide(Healthy with { Hold = HoldFeedback.FactoryReset, Error = true });
        Assert.Equal((LedPattern.BlinkFast, LedPattern.BlinkFast, LedPattern.BlinkFast), (leds.Status, leds.Network, leds.Disk));
    }

    [Theory]
    [InlineData(NetworkState.Standalone, false, LedPattern.Off)]
    [InlineData(NetworkState.Connecting, false, LedPattern.BlinkSlow)]
    [InlineData(NetworkState.Online, false, LedPattern.On)]
    [InlineData(NetworkState.Online, true, LedPattern.Off)]
    public void Network_led_shows_the_link(NetworkState network, bool booting, LedPattern expected)
    {
        Assert.Equal(expected, LedPolicy.Decide(Healthy with { Network = network, Booting = booting }).Network);
    }

    [Theory]
    [InlineData(DiskState.None, true, LedPattern.Off)]
    [InlineData(DiskState.Error, false, LedPattern.BlinkFast)]
    [InlineData(DiskState.Full, true, LedPattern.BlinkSlow)]
    [InlineData(DiskState.Mounted, true, LedPattern.Heartbeat)]
    [InlineData(DiskState.Mounted, false, LedPattern.On)]
    public void Disk_led_shows_the_disk(DiskState disk, bool serving, LedPattern expected)
    {
        Assert.Equal(expected, LedPolicy.Decide(Healthy with { Disk = disk, Serving = serving }).Disk);
    }

    [Fact]
    public void Pairing_window_is_distinct_from_the_idle_states_on_the_status_led()
    {
        var pairing = LedPolicy.Decide(new LedInputs { PairingWindow = true }).Status;
        foreach (var condition in new[] { new LedInputs(), Healthy, Healthy with { Serving = true }, new LedInputs { Network = NetworkState.Online } })
            Assert.NotEqual(pairing, LedPolicy.Decide(condition).Status);
    }

    [Fact]
    public void Roles_map_to_their_pattern_and_unknown_roles_are_off()
    {
        var leds = new LedPatterns(LedPattern.On, LedPattern.BlinkSlow, LedPattern.Heartbeat, StatusCondition.Online);
        Assert.Equal(LedPattern.On, leds.ForRole("status"));
        Assert.Equal(LedPattern.BlinkSlow, leds.ForRole("network"));
        Assert.Equal(LedPattern.Heartbeat, leds.ForRole("disk"));
        Assert.Equal(LedPattern.Off, leds.ForRole("power"));
    }
}
