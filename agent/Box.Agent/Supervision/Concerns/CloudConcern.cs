using Box.Agent.Cloud.Link;
using Box.Agent.Indication;

namespace Box.Agent.Supervision.Concerns;

/// <summary>Hands a <c>cmd</c> message to the command dispatcher, which
/// validates it, answers it, and runs its handler on the loop.</summary>
public delegate ValueTask CommandDispatch(CloudInput.CommandArrived command);

/// <summary>The cloud session as the loop sees it: up or down (the network
/// LED), and commands routed to the dispatcher. Null link: the box runs on its own.</summary>
public sealed class CloudConcern(ConcernContext context, CommandDispatch? dispatch) : SupervisorConcern(context)
{
    private readonly CancellationTokenSource _stopping = new();

    public bool Online { get; private set; }

    public override void Start()
    {
        if (Context.Link is { } link)
            _ = StartLinkAsync(link);
    }

    private async Task StartLinkAsync(ICloudLink link)
    {
        try
        {
            await link.StartAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Context.Log.Error($"cloud link: cannot start: {e.Message}");
        }
    }

    public override async ValueTask<bool> HandleAsync(SupervisorInput input)
    {
        if (input is not SupervisorInput.Cloud cloud) return false;
        switch (cloud.Input)
        {
            case CloudInput.LinkUp:
                Online = true;
                Context.Log.Info("cloud link up");
                return true;
            case CloudInput.LinkDown down:
                if (Online) Context.Log.Warn($"cloud link down: {down.Reason}");
                Online = false;
                return true;
            case CloudInput.CommandArrived command:
                if (dispatch is null)
                    Context.Log.Warn("command received but no dispatcher is attached; dropped");
                else
                    await dispatch(command).ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }

    public override void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.Dispose();
    }

    public override void Contribute(SupervisorView view)
    {
        view.Online = Online;
        view.Network = Context.Link is null ? NetworkState.Standalone : Online ? NetworkState.Online : NetworkState.Connecting;
    }
}
