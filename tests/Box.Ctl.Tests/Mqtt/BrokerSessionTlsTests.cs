using Box.Ctl.Tests.Support;

namespace Box.Ctl.Tests.Mqtt;

public sealed class BrokerSessionTlsTests(TlsBroker tls) : IClassFixture<TlsBroker>
{
    [Fact]
    public async Task Mqtts_with_the_pinned_ca_and_a_client_certificate_connects()
    {
        var result = await CtlRunner.RunAsync("--broker", tls.Url, "--ca", tls.CaFile, "--cert", tls.ClientCertFile, "--key", tls.ClientKeyFile,
            "--timeout", "10", "--prefix", CtlRunner.UniquePrefix(), "list");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("0 box(es)", result.Err);
    }

    [Fact]
    public async Task A_broker_outside_the_pinned_ca_is_refused()
    {
        var result = await CtlRunner.RunAsync("--broker", tls.Url, "--ca", tls.OtherCaFile, "--cert", tls.ClientCertFile, "--key", tls.ClientKeyFile,
            "--timeout", "10", "list");

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("cannot connect to " + tls.Url, result.Err);
    }

    /// <summary>The same chain the agent accepts (MqttCloudLinkTlsTests): leaf
    /// from an intermediate the broker sends, only the root pinned.</summary>
    [Fact]
    public async Task A_broker_leaf_signed_by_an_intermediate_under_the_pinned_ca_is_accepted()
    {
        var result = await CtlRunner.RunAsync("--broker", tls.IntermediateUrl, "--ca", tls.CaFile, "--cert", tls.ClientCertFile, "--key", tls.ClientKeyFile,
            "--timeout", "10", "--prefix", CtlRunner.UniquePrefix(), "list");

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task The_intermediate_chain_under_another_pinned_ca_is_refused()
    {
        var result = await CtlRunner.RunAsync("--broker", tls.IntermediateUrl, "--ca", tls.OtherCaFile, "--cert", tls.ClientCertFile, "--key", tls.ClientKeyFile,
            "--timeout", "10", "list");

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("cannot connect to " + tls.IntermediateUrl, result.Err);
    }

    [Fact]
    public async Task Tls_options_on_a_plain_broker_url_are_refused()
    {
        var result = await CtlRunner.RunAsync("--broker", "mqtt://127.0.0.1:1883", "--ca", tls.CaFile, "list");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("need an mqtts:// broker", result.Err);
    }
}
