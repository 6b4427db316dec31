using Box.Agent.Cloud.Link;

namespace Box.Agent.Supervision.Concerns;

/// <summary>Hold ≥ factoryResetHoldSeconds: forget the configuration from the
/// cloud, the owner and the offline queue; keep the chunk store and the local
/// file. The LEDs show the reset for <paramref name="display"/> afterwards.</summary>
public sealed class FactoryResetConcern(
    ConcernContext context, PairingConcern pairing, ConfigurationConcern configuration, TimeSpan display) : SupervisorConcern(context)
{
    private const string DisplayTimer = "display";

    public bool Showing { get; private set; }

    public void Run()
    {
        var log = Context.Log;
        log.Warn("factory reset: wiping desired config, owner and offline queue (chunk store kept)");
        Showing = true;
        // Queue first, then the event: the event must not be wiped with the queue,
        // and it must reach the cloud before the owner binding is gone.
        Context.Link?.ClearQueue();
        if (Context.Link is { IsConnected: true } link)
            link.PublishEvent("factory.reset");
        pairing.Forget();
        configuration.ForgetDesired();
        Context.After(DisplayTimer, display);
        log.Info("factory reset done");
    }

    public override void OnTimer(string name) => Showing = false;

    public override void Contribute(SupervisorView view) => view.FactoryReset = Showing;
}
