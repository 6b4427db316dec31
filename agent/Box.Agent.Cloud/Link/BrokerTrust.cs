using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace Box.Agent.Cloud.Link;

/// <summary>TLS material of the link: the pinned CA(s) the broker must chain
/// to (only those; the system store is not consulted when a CA file is
/// given) and the optional client certificate. Remembers why the last
/// handshake was refused, so the link can say it in plain words.</summary>
internal sealed class BrokerTrust
{
    readonly X509Certificate2Collection? _pinned;
    readonly string? _caFile;
    readonly string _host;
    volatile string? _lastProblem;

    public X509Certificate2? ClientCertificate { get; }

    /// <summary>Why the last certificate check failed (null when it passed).</summary>
    public string? LastProblem => _lastProblem;

    BrokerTrust(string host, string? caFile, X509Certificate2Collection? pinned, X509Certificate2? clientCertificate)
    {
        _host = host;
        _caFile = caFile;
        _pinned = pinned;
        ClientCertificate = clientCertificate;
    }

    public static BrokerTrust Load(CloudLinkOptions options)
    {
        X509Certificate2Collection? pinned = null;
        if (options.CaFile is not null)
        {
            pinned = [];
            try
            {
                pinned.ImportFromPemFile(options.CaFile);
            }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException)
            {
                throw new ArgumentException($"ca file: {options.CaFile} is not a PEM certificate file ({e.Message})", e);
            }
            if (pinned.Count == 0)
                throw new ArgumentException($"ca file: {options.CaFile} holds no PEM certificate");
        }
        X509Certificate2? client = null;
        if (options.ClientCertFile is not null && options.ClientKeyFile is not null)
        {
            try
            {
                client = X509Certificate2.CreateFromPemFile(options.ClientCertFile, options.ClientKeyFile);
            }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or ArgumentException)
            {
                throw new ArgumentException($"client certificate: cannot load {options.ClientCertFile} with key {options.ClientKeyFile} ({e.Message})", e);
            }
        }
        return new BrokerTrust(options.Broker.Host, options.CaFile, pinned, client);
    }

    public void Reset() => _lastProblem = null;

    public bool Validate(MqttClientCertificateValidationEventArgs args)
    {
        var problem = Check(args.Certificate, args.Chain, args.SslPolicyErrors);
        _lastProblem = problem;
        return problem is null;
    }

    string? Check(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return "the broker presented no certificate";
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return $"the broker's certificate ({certificate.Subject}) is not issued for host '{_host}'";
        if (_pinned is null)
            return errors == SslPolicyErrors.None ? null : $"the broker's certificate ({certificate.Subject}) is not trusted by the system CAs ({errors})";
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(_pinned);
        if (presented is not null)
        {
            // Intermediates the broker sent; trust still ends only at the pinned roots.
            foreach (var element in presented.ChainElements)
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        if (chain.Build(leaf))
            return null;
        var statuses = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
        return $"the broker's certificate ({certificate.Subject}, issued by {certificate.Issuer}) does not chain to the pinned CA in {_caFile} ({statuses})";
    }
}
