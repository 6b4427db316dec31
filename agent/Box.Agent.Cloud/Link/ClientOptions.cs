using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Box.Protocol.Topics;

namespace Box.Agent.Cloud.Link;

/// <summary>The MQTT 5 CONNECT the box sends (docs/contract.md "Session"): its id as client
/// id, clean start, keepalive, the retained <c>{"online":false}</c> last
/// will, credentials, and for <c>mqtts://</c> TLS checked by <see cref="BrokerTrust"/>.</summary>
internal static class ClientOptions
{
    public static readonly byte[] OfflineStatus = """{"online":false}"""u8.ToArray();

    public static MqttClientOptions Build(CloudLinkOptions options, BoxTopics topics, BrokerTrust trust)
    {
        var broker = options.Broker;
        var tls = broker.Scheme == "mqtts";
        var port = broker.IsDefaultPort || broker.Port <= 0 ? (tls ? 8883 : 1883) : broker.Port;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(options.BoxId)
            .WithCleanStart()
            .WithKeepAlivePeriod(options.KeepAlive)
            .WithTimeout(options.PublishTimeout)
            .WithMaximumPacketSize((uint)options.MaxIncomingPacketBytes)
            .WithWillTopic(topics.Status)
            .WithWillPayload(OfflineStatus)
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillContentType("application/json");
        if (options.Username is not null)
            builder.WithCredentials(options.Username, options.Password ?? "");
        if (tls)
        {
            builder.WithTlsOptions(o =>
            {
                o.UseTls()
                    .WithTargetHost(broker.Host)
                    .WithRevocationMode(X509RevocationMode.NoCheck)
                    .WithCertificateValidationHandler(trust.Validate);
                if (trust.ClientCertificate is { } certificate)
                    o.WithClientCertificates([certificate]);
            });
        }
        return builder.Build();
    }
}
