using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Box.Protocol.Tls;

/// <summary>
/// The one check of a broker's TLS certificate that the agent and boxctl
/// share, so both accept the same chains: with a pinned CA, the chain is
/// built with that CA as the only trust anchor (the system store is not
/// consulted), the intermediates the broker sent as untrusted helpers,
/// revocation off (boxes have no reliable clock or CRL reach). The host name
/// check is the TLS stack's. Without a pinned CA the system trust decides.
/// </summary>
public sealed class BrokerCertificateValidator(string host, X509Certificate2Collection? pinned, string? pinnedSource = null)
{
    /// <summary>Null when the broker is trusted, else why not, in plain words.</summary>
    public string? Check(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return "the broker presented no certificate";
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return $"the broker's certificate ({certificate.Subject}) is not issued for host '{host}'";
        if (pinned is null)
            return errors == SslPolicyErrors.None ? null : $"the broker's certificate ({certificate.Subject}) is not trusted by the system CAs ({errors})";

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(pinned);
        if (presented is not null)
        {
            // What the broker sent (the TLS stack keeps it in the chain it built
            // and in its ExtraStore): helpers only, trust ends at the pinned CA.
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements)
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        if (chain.Build(leaf))
            return null;
        var statuses = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
        return $"the broker's certificate ({certificate.Subject}, issued by {certificate.Issuer}) does not chain to the pinned CA{(pinnedSource is null ? "" : " in " + pinnedSource)} ({statuses})";
    }
}
