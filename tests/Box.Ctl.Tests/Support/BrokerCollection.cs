namespace Box.Ctl.Tests.Support;

/// <summary>One real mosquitto for the whole "broker" test collection; each
/// test class uses its own topic prefix.</summary>
[CollectionDefinition("broker")]
public sealed class BrokerCollection : ICollectionFixture<SharedBroker>;
