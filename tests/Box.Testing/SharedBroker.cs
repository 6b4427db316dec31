using Xunit;

namespace Box.Testing;

/// <summary>One mosquitto for a test class whose tests never stop it; each
/// test uses its own box id, so they do not see each other's topics.</summary>
public sealed class SharedBroker : IAsyncLifetime
{
    public MosquittoBroker Broker { get; private set; } = null!;

    public async Task InitializeAsync() => Broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync() => await Broker.DisposeAsync();
}
