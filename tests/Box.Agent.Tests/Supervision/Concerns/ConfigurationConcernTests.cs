using System.Text;
using Box.Agent.Cloud.Link;
using Box.Agent.Configuration;
using Box.Agent.Supervision;
using Box.Agent.Supervision.Concerns;

namespace Box.Agent.Tests.Supervision.Concerns;

public class ConfigurationConcernTests
{
    private static SupervisorInput Desired(string json) =>
        new SupervisorInput.Cloud(new CloudInput.DesiredConfigArrived(Encoding.UTF8.GetBytes(json)));

    private static (ConcernHarness, ConfigurationConcern, List<AgentConfig>) Start(ConcernHarness? reuse = null)
    {
        var h = reuse ?? new ConcernHarness();
        var config = new ConfigurationConcern(h.Context("config"), h.Config(), new DesiredConfigStore(h.DataDir));
        var applied = new List<AgentConfig>();
        config.Applied += applied.Add;
        config.Start();
        return (h, config, applied);
    }

    [Fact]
    public async Task A_newer_desired_config_applies_persists_and_survives_a_restart()
    {
        var (h, config, applied) = Start();
        using var _ = h;
        Assert.True(await config.HandleAsync(Desired("""{"version":4,"telemetryIntervalSeconds":30}""")));
        Assert.Equal(30, config.Effective.TelemetryIntervalSeconds);
        Assert.Equal(60, Assert.Single(applied).TelemetryIntervalSeconds); // the config before
        Assert.Equal(4, ConcernHarness.View(config).ConfigVersion);

        var (_, restarted, _) = Start(h);
        Assert.Equal(4, restarted.Effective.Version);
    }

    [Fact]
    public async Task An_older_or_invalid_config_keeps_the_running_one()
    {
        var (h, config, applied) = Start();
        using var _ = h;
        await config.HandleAsync(Desired("""{"version":4,"telemetryIntervalSeconds":30}"""));
        await config.HandleAsync(Desired("""{"version":3,"telemetryIntervalSeconds":90}"""));
        await config.HandleAsync(Desired("""{"version":9,"telemetryIntervalSeconds":-1}"""));
        await config.HandleAsync(Desired("""{"version":"""));
        Assert.Equal(4, config.Effective.Version);
        Assert.Equal(30, config.Effective.TelemetryIntervalSeconds);
        Assert.Single(applied);
        Assert.Equal(2, h.Link.EventsOf("error").Count(e => (string?)e.Fields["source"] == "config"));
    }

    [Fact]
    public async Task Forgetting_the_desired_config_goes_back_to_the_file_and_deletes_it()
    {
        var (h, config, applied) = Start();
        using var _ = h;
        await config.HandleAsync(Desired("""{"version":4,"telemetryIntervalSeconds":30}"""));
        config.ForgetDesired();
        Assert.Equal(60, config.Effective.TelemetryIntervalSeconds);
        Assert.Equal(2, applied.Count);
        var (_, restarted, _) = Start(h);
        Assert.Equal(0, restarted.Effective.Version);
    }
}
