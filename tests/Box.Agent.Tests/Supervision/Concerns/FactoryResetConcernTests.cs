using System.Text;
using Box.Agent.Cloud.Link;
using Box.Agent.Configuration;
using Box.Agent.Pairing;
using Box.Agent.Supervision;
using Box.Agent.Supervision.Concerns;

namespace Box.Agent.Tests.Supervision.Concerns;

public class FactoryResetConcernTests
{
    [Fact]
    public async Task Clears_the_queue_before_the_event_forgets_owner_and_config_then_stops_showing()
    {
        using var h = new ConcernHarness();
        var layers = h.Config();
        var configuration = new ConfigurationConcern(h.Context("config"), layers, new DesiredConfigStore(h.DataDir));
        var pairing = new PairingConcern(h.Context("pairing"), layers, new OwnerStore(h.DataDir));
        configuration.Start();
        pairing.Start();
        await configuration.HandleAsync(new SupervisorInput.Cloud(new CloudInput.DesiredConfigArrived(Encoding.UTF8.GetBytes("""{"version":5}"""))));
        pairing.Open();
        pairing.Confirm(ConcernHarness.View(pairing).Pairing!.Code, "alice");
        h.Link.Connected = true;
        var reset = new FactoryResetConcern(h.Context("factory-reset"), pairing, configuration, TimeSpan.FromSeconds(3));

        reset.Run();

        var calls = h.Link.Calls.ToList();
        Assert.True(calls.IndexOf("clear-queue") >= 0 && calls.IndexOf("clear-queue") < calls.IndexOf("event:factory.reset"),
            string.Join(", ", calls)); // the event must not be wiped with the queue
        Assert.Null(pairing.Owner);
        Assert.Equal(0, configuration.Effective.Version);
        Assert.True(ConcernHarness.View(reset).FactoryReset);
        h.Advance(TimeSpan.FromSeconds(3));
        Assert.False(ConcernHarness.View(reset).FactoryReset);
    }
}
