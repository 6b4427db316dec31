using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Box.Ctl.Tests.Support;

/// <summary>A mosquitto TLS listener that requires a client certificate,
/// with a CA, server and client certificates generated for the test.</summary>
public sealed class TlsBroker : IDisposable
{
    public TlsBroker()
    {
        CertDir = Directory.CreateTempSubdirectory("boxctl-tls-").FullName;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=boxctl test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(CaFile, ca.ExportCertificatePem());

        Issue(ca, "CN=127.0.0.1", server: true, Path.Combine(CertDir, "server.pem"), Path.Combine(CertDir, "server.key"));
        Issue(ca, "CN=boxctl", server: false, ClientCertFile, ClientKeyFile);

        // Another CA, to show pinning refuses a chain that does not end at --ca.
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherRequest = new CertificateRequest("CN=other CA", otherKey, HashAlgorithmName.SHA256);
        otherRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var other = otherRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(OtherCaFile, other.ExportCertificatePem());

        // mosquitto started as root drops to its own user before reading these:
        // test-only material, so let everyone read it.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(CertDir, (UnixFileMode)0b111_101_101);
            foreach (string file in Directory.GetFiles(CertDir))
                File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
        }
        Broker = new Mosquitto(_ =>
            $"cafile {CaFile}\ncertfile {Path.Combine(CertDir, "server.pem")}\nkeyfile {Path.Combine(CertDir, "server.key")}\nrequire_certificate true\n");
    }

    public string CertDir { get; }
    public string CaFile => Path.Combine(CertDir, "ca.pem");
    public string OtherCaFile => Path.Combine(CertDir, "other-ca.pem");
    public string ClientCertFile => Path.Combine(CertDir, "client.pem");
    public string ClientKeyFile => Path.Combine(CertDir, "client.key");
    public Mosquitto Broker { get; }
    public string Url => $"mqtts://127.0.0.1:{Broker.Port}";

    static void Issue(X509Certificate2 ca, string subject, bool server, string certPath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }
        using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        Broker.Dispose();
        Directory.Delete(CertDir, recursive: true);
    }
}
