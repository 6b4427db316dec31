using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Box.Testing;

/// <summary>PEM files for TLS tests, made with .NET (no openssl process): a CA,
/// a server certificate for 127.0.0.1/localhost and a client certificate it
/// issued, a server certificate issued by an intermediate CA (the PEM holds
/// leaf then intermediate, as a broker sends them), and an unrelated second
/// CA whose chains must be refused.</summary>
public sealed class TestCertificates : IDisposable
{
    readonly TempDir _dir = new("certs");

    public string CaCert => _dir["ca.crt"];
    public string ServerCert => _dir["server.crt"];
    public string ServerKey => _dir["server.key"];
    public string ClientCert => _dir["client.crt"];
    public string ClientKey => _dir["client.key"];
    public string OtherCaCert => _dir["other-ca.crt"];
    /// <summary>Leaf for 127.0.0.1/localhost, then the intermediate that signed it.</summary>
    public string IntermediateServerChain => _dir["server-via-intermediate.crt"];
    public string IntermediateServerKey => _dir["server-via-intermediate.key"];
    public string IntermediateCert => _dir["intermediate.crt"];

    public TestCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = MakeCa("CN=Box Test CA", caKey);
        File.WriteAllText(CaCert, ca.ExportCertificatePem());

        using (var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        using (var other = MakeCa("CN=Some Other CA", otherKey))
            File.WriteAllText(OtherCaCert, other.ExportCertificatePem());

        Issue(ca, "CN=127.0.0.1", server: true, ServerCert, ServerKey);
        Issue(ca, "CN=box-tls", server: false, ClientCert, ClientKey);

        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediate = MakeIntermediate(ca, "CN=Box Test Intermediate", intermediateKey);
        File.WriteAllText(IntermediateCert, intermediate.ExportCertificatePem());
        Issue(intermediate, "CN=127.0.0.1 via intermediate", server: true, IntermediateServerChain, IntermediateServerKey);
        File.AppendAllText(IntermediateServerChain, "\n" + intermediate.ExportCertificatePem() + "\n");
    }

    static X509Certificate2 MakeIntermediate(X509Certificate2 ca, string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));
        return cert.CopyWithPrivateKey(key);
    }

    static X509Certificate2 MakeCa(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
    }

    static void Issue(X509Certificate2 ca, string subject, bool server, string certPath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
        }
        using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        // Private keys only for their owner, like openssl writes them; the test
        // broker runs as root (MosquittoBroker's config says so) and reads them.
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void Dispose() => _dir.Dispose();
}
