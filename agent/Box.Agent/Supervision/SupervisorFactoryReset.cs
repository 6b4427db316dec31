namespace Box.Agent.Supervision;

public sealed partial class Supervisor
{
    private bool _factoryResetShowing;

    /// <summary>Hold ≥ factoryResetHoldSeconds: forget configuration from the cloud,
    /// the owner and the offline queue; keep the chunk store and the local file.</summary>
    private void FactoryReset()
    {
        _log.Warn("factory reset: wiping desired config, owner and offline queue (chunk store kept)");
        _factoryResetShowing = true;
        ApplyLeds();
        // Queue first, then the event: the event must not be wiped with the queue,
        // and it must reach the cloud before the owner binding is gone.
        _link?.ClearQueue();
        if (_link is { IsConnected: true })
            _link.PublishEvent("factory.reset");
        if (_pairing.IsOpen || _pairingTimer is not null)
            ClosePairingWindow("factory-reset");
        var before = _config.Effective;
        Wipe("desired config", _desiredStore.Delete);
        _config.ClearDesired();
        OnConfigApplied(before);
        Wipe("owner", _ownerStore.Clear);
        _owner = null;
        After(ref _factoryResetTimer, _o.FactoryResetDisplay, new SupervisorInput.FactoryResetShown());
        _log.Info($"factory reset done; config v{_config.Effective.Version}");
    }

    private void Wipe(string what, Action delete)
    {
        try
        {
            delete();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ReportError("factory-reset", $"cannot delete the {what}: {e.Message}");
        }
    }
}
