using Box.Agent.Cloud.Tests.Fixtures;
using Xunit.Abstractions;

namespace Box.Agent.Cloud.Tests.Link;

/// <summary>mqtts:// against mosquitto with certificates made in .NET by the test.</summary>
public sealed class MqttCloudLinkTlsTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    readonly TempDir _data = new("tls");
    TestCertificates _certs = null!;
    MosquittoBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _certs = new TestCertificates();
        _broker = await MosquittoBroker.StartAsync(
            new TlsListener(_certs.CaCert, _certs.ServerCert, _certs.ServerKey, RequireCertificate: false),
            new TlsListener(_certs.CaCert, _certs.ServerCert, _certs.ServerKey, RequireCertificate: true),
            new TlsListener(_certs.CaCert, _certs.IntermediateServerChain, _certs.IntermediateServerKey, RequireCertificate: false));
    }

    /// <summary>The broker sends leaf + intermediate; only the root is pinned
    /// (boxctl accepts the same chain: BrokerSessionTlsTests).</summary>
    [Fact]
    public async Task ConnectsWhenTheBrokerLeafIsSignedByAnIntermediateUnderThePinnedCa()
    {
        await using var agent = await AgentHarness.StartAsync(_broker.TlsUrl(2), _data.Path, configure: o => o with { CaFile = _certs.CaCert });
        Assert.True(agent.Link.IsConnected);
    }

    [Fact]
    public async Task RefusesTheIntermediateChainUnderAnotherPinnedCa()
    {
        await using var agent = await AgentHarness.StartAsync(_broker.TlsUrl(2), _data.Path, waitForLinkUp: false,
            configure: o => o with { CaFile = _certs.OtherCaCert });
        await Eventually.TrueAsync(() => agent.LinkDownReasons.Any(), "LinkDown");
        Assert.Contains("does not chain to the pinned CA", agent.LinkDownReasons.First());
        Assert.Equal(0, agent.LinkUps);
    }

    [Fact]
    public async Task ConnectsWhenTheBrokerChainsToThePinnedCa()
    {
        await using var agent = await AgentHarness.StartAsync(_broker.TlsUrl(0), _data.Path, configure: o => o with { CaFile = _certs.CaCert });
        await using var cloud = await CloudClient.ConnectAsync(_broker.Url, agent.Topics.Status);
        await cloud.WaitForAsync(r => r.Retain && r.Text.Contains("\"online\":true"), "status over TLS");
    }

    [Fact]
    public async Task RefusesABrokerSignedByAnotherCaWithAClearReason()
    {
        await using var agent = await AgentHarness.StartAsync(_broker.TlsUrl(0), _data.Path, waitForLinkUp: false,
            configure: o => o with { CaFile = _certs.OtherCaCert });
        await Eventually.TrueAsync(() => agent.LinkDownReasons.Any(), "LinkDown");
        var reason = agent.LinkDownReasons.First();
        output.WriteLine(reason);
        Assert.Contains("TLS: the broker's certificate", reason);
        Assert.Contains("does not chain to the pinned CA", reason);
        Assert.Contains(_certs.OtherCaCert, reason);
        Assert.False(agent.Link.IsConnected);
        Assert.Equal(0, agent.LinkUps);
    }

    [Fact]
    public async Task ListenerThatRequiresAClientCertificateAcceptsOurs()
    {
        await using var agent = await AgentHarness.StartAsync(_broker.TlsUrl(1), _data.Path, configure: o => o with
        {
            CaFile = _certs.CaCert,
            ClientCertFile = _certs.ClientCert,
            ClientKeyFile = _certs.ClientKey,
        });
        Assert.True(agent.Link.IsConnected);
    }

    [Fact]
    public async Task ListenerThatRequiresAClientCertificateRefusesNone()
    {
        await using var agent = await AgentHarness.StartAsync(_broker.TlsUrl(1), _data.Path, waitForLinkUp: false,
            configure: o => o with { CaFile = _certs.CaCert });
        await Eventually.TrueAsync(() => agent.LinkDownReasons.Any(), "LinkDown");
        output.WriteLine(agent.LinkDownReasons.First());
        Assert.Equal(0, agent.LinkUps);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _certs.Dispose();
    }

    public void Dispose() => _data.Dispose();
}
