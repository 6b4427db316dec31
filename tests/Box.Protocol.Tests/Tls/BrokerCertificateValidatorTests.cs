using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Box.Protocol.Tls;

namespace Box.Protocol.Tests.Tls;

/// <summary>The chain rules without a TLS handshake; the handshakes against
/// mosquitto are in the agent's and boxctl's TLS tests.</summary>
public sealed class BrokerCertificateValidatorTests : IDisposable
{
    readonly TestCertificates _certs = new();

    public void Dispose() => _certs.Dispose();

    static X509Certificate2 Leaf(string pemFile) => X509Certificate2.CreateFromPem(File.ReadAllText(pemFile));

    /// <summary>What SslStream hands the callback: a chain whose ExtraStore holds what the server sent.</summary>
    static X509Chain Presented(params X509Certificate2[] sent)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.ExtraStore.AddRange(sent);
        return chain;
    }

    [Fact]
    public void A_leaf_under_the_pinned_ca_is_trusted()
    {
        var validator = new BrokerCertificateValidator("127.0.0.1", PinnedCa.Load(_certs.CaCert));
        using var leaf = Leaf(_certs.ServerCert);

        Assert.Null(validator.Check(leaf, Presented(), SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void A_leaf_under_an_intermediate_is_trusted_only_with_the_intermediate_the_broker_sent()
    {
        var validator = new BrokerCertificateValidator("127.0.0.1", PinnedCa.Load(_certs.CaCert), _certs.CaCert);
        using var leaf = Leaf(_certs.IntermediateServerChain);
        using var intermediate = Leaf(_certs.IntermediateCert);

        Assert.Null(validator.Check(leaf, Presented(leaf, intermediate), SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Contains("does not chain to the pinned CA in " + _certs.CaCert, validator.Check(leaf, Presented(leaf), SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void Another_ca_a_wrong_name_and_no_certificate_are_refused()
    {
        var validator = new BrokerCertificateValidator("127.0.0.1", PinnedCa.Load(_certs.OtherCaCert));
        using var leaf = Leaf(_certs.IntermediateServerChain);
        using var intermediate = Leaf(_certs.IntermediateCert);

        Assert.Contains("does not chain", validator.Check(leaf, Presented(leaf, intermediate), SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Contains("not issued for host", validator.Check(leaf, null, SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.Contains("no certificate", validator.Check(null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    [Fact]
    public void A_ca_file_without_certificates_is_refused()
    {
        var path = Path.Combine(Path.GetTempPath(), "empty-" + Guid.NewGuid().ToString("N") + ".pem");
        File.WriteAllText(path, "nothing here\n");
        try
        {
            Assert.Throws<ArgumentException>(() => PinnedCa.Load(path));
            Assert.Throws<ArgumentException>(() => PinnedCa.Load(path + ".missing"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
