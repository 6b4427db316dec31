using System.Security.Cryptography.X509Certificates;
using Box.Protocol.Tls;
using MQTTnet;

namespace Box.Agent.Cloud.Link;

/// <summary>TLS material of the link: the pinned CA(s) the broker must chain
/// to, checked by the <see cref="BrokerCertificateValidator"/> boxctl uses
/// too, and the optional client certificate. Remembers why the last
/// handshake was refused, so the link can say it in plain words.</summary>
internal sealed class BrokerTrust
{
    readonly BrokerCertificateValidator _validator;
    volatile string? _lastProblem;

    public X509Certificate2? ClientCertificate { get; }

    /// <summary>Why the last certificate check failed (null when it passed).</summary>
    public string? LastProblem => _lastProblem;

    BrokerTrust(BrokerCertificateValidator validator, X509Certificate2? clientCertificate)
    {
        _validator = validator;
        ClientCertificate = clientCertificate;
    }

    public static BrokerTrust Load(CloudLinkOptions options)
    {
        X509Certificate2Collection? pinned = null;
        if (options.CaFile is not null)
        {
            try
            {
                pinned = PinnedCa.Load(options.CaFile);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"ca file: {e.Message}", e);
            }
        }
        X509Certificate2? client = null;
        if (options.ClientCertFile is not null && options.ClientKeyFile is not null)
        {
            try
            {
                client = Box.Protocol.Tls.ClientCertificate.Load(options.ClientCertFile, options.ClientKeyFile);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"client certificate: {e.Message}", e);
            }
        }
        return new BrokerTrust(new BrokerCertificateValidator(options.Broker.Host, pinned, options.CaFile), client);
    }

    public void Reset() => _lastProblem = null;

    public bool Validate(MqttClientCertificateValidationEventArgs args)
    {
        var problem = _validator.Check(args.Certificate, args.Chain, args.SslPolicyErrors);
        _lastProblem = problem;
        return problem is null;
    }
}
