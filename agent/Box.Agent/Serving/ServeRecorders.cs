namespace Box.Agent.Serving;

/// <summary>Hands each served request to several recorders (the usage ledger,
/// the stores' per-chunk figures) in order.</summary>
public sealed class ServeRecorders(params IServeRecorder[] recorders) : IServeRecorder
{
    public void Record(in ServedRequest served)
    {
        foreach (var recorder in recorders)
            recorder.Record(served);
    }
}
