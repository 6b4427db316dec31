using System.Buffers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using Box.Ctl.Cli;
using Box.Protocol.Tls;
using MQTTnet;
using MQTTnet.Protocol;

namespace Box.Ctl.Mqtt;

/// <summary>One message as boxctl sees it.</summary>
public sealed record ReceivedMessage(
    string Topic,
    byte[] Payload,
    bool Retained,
    string? ResponseTopic,
    byte[]? CorrelationData,
    DateTimeOffset ReceivedAt)
{
    public string PayloadText => Encoding.UTF8.GetString(Payload);
}

/// <summary>The broker could not be reached, refused us, or dropped us.</summary>
public sealed class BrokerException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// An MQTT 5 session for one boxctl invocation: clean start, QoS 1, a random
/// client id. Received messages go into a channel that the subcommand reads
/// at its own pace (the MQTTnet receive callback never waits on us).
/// </summary>
public sealed class BrokerSession : IAsyncDisposable
{
    readonly IMqttClient _client;
    readonly Channel<ReceivedMessage> _inbox = Channel.CreateUnbounded<ReceivedMessage>(new() { SingleReader = true });
    /// <summary>A private topic for <see cref="SyncAsync"/> markers.</summary>
    readonly string _syncTopic;
    int _syncCounter;

    BrokerSession(IMqttClient client, string token)
    {
        _client = client;
        Token = token;
        _syncTopic = $"boxctl/{token}/sync";
        client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            _inbox.Writer.TryWrite(new ReceivedMessage(m.Topic, m.Payload.ToArray(), m.Retain, m.ResponseTopic,
                m.CorrelationData, DateTimeOffset.UtcNow));
            return Task.CompletedTask;
        };
        client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected)
                _inbox.Writer.TryComplete(new BrokerException($"lost the broker connection: {e.ReasonString ?? e.Reason.ToString()}"));
            return Task.CompletedTask;
        };
    }

    /// <summary>A random token for per-invocation topics (reply, sync).</summary>
    public string Token { get; }

    public ChannelReader<ReceivedMessage> Messages => _inbox.Reader;

    public static async Task<BrokerSession> ConnectAsync(GlobalOptions options, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Broker.Host, options.Broker.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId("boxctl-" + token)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithTimeout(options.Timeout < TimeSpan.FromSeconds(10) ? options.Timeout : TimeSpan.FromSeconds(10));
        if (options.Username is not null)
            builder.WithCredentials(options.Username, options.Password ?? "");
        if (options.Broker.Tls)
            builder.WithTlsOptions(tls => ConfigureTls(tls, options));

        var session = new BrokerSession(client, token);
        try
        {
            var result = await client.ConnectAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
                throw new BrokerException($"{options.Broker} refused the connection: {result.ResultCode} {result.ReasonString}".TrimEnd());
        }
        catch (Exception ex) when (ex is not BrokerException && ex is not OperationCanceledException)
        {
            client.Dispose();
            throw new BrokerException($"cannot connect to {options.Broker}: {Innermost(ex).Message}", ex);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        return session;
    }

    static void ConfigureTls(MqttClientTlsOptionsBuilder tls, GlobalOptions options)
    {
        tls.UseTls(true).WithTargetHost(options.Broker.Host).WithRevocationMode(X509RevocationMode.NoCheck);
        if (options.CaFile is not null)
        {
            // The agent's check (Box.Protocol): the chain must end at the given
            // CA(s), with the intermediates the broker sent; the system store is
            // not consulted; the host name must match.
            X509Certificate2Collection roots;
            try
            {
                roots = PinnedCa.Load(options.CaFile);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException($"--ca: {ex.Message}");
            }
            var validator = new BrokerCertificateValidator(options.Broker.Host, roots, options.CaFile);
            tls.WithCertificateValidationHandler(e => validator.Check(e.Certificate, e.Chain, e.SslPolicyErrors) is null);
        }
        if (options.CertFile is not null && options.KeyFile is not null)
        {
            X509Certificate2 cert;
            try
            {
                cert = ClientCertificate.Load(options.CertFile, options.KeyFile);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException($"--cert/--key: {ex.Message}");
            }
            tls.WithClientCertificates([cert]);
        }
    }

    static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
            ex = ex.InnerException;
        return ex;
    }

    public async Task SubscribeAsync(IEnumerable<string> topicFilters, CancellationToken cancellationToken)
    {
        var builder = new MqttClientSubscribeOptionsBuilder();
        int count = 0;
        foreach (string filter in topicFilters)
        {
            builder.WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
            count++;
        }
        if (count == 0)
            return;
        var result = await _client.SubscribeAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
        foreach (var item in result.Items)
            if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
                throw new BrokerException($"the broker refused the subscription to '{item.TopicFilter.Topic}': {item.ResultCode}");
    }

    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain,
        string? responseTopic = null, byte[]? correlationData = null, CancellationToken cancellationToken = default)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(new ReadOnlySequence<byte>(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain);
        if (payload.Length > 0)
            builder.WithPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData).WithContentType("application/json");
        if (responseTopic is not null)
            builder.WithResponseTopic(responseTopic);
        if (correlationData is not null)
            builder.WithCorrelationData(correlationData);
        var result = await _client.PublishAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
        if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
            throw new BrokerException($"the broker refused the message to '{topic}': {result.ReasonCode} {result.ReasonString}".TrimEnd());
    }

    /// <summary>
    /// Reads messages until the broker has delivered everything it queued for
    /// us before now (in particular the retained messages of earlier
    /// subscriptions), then for as long as messages keep arriving closer than
    /// <paramref name="quiet"/> apart. Works by publishing a marker to a
    /// private topic: a broker delivers a session's messages in order.
    /// </summary>
    public async Task<List<ReceivedMessage>> SyncAsync(TimeSpan quiet, CancellationToken cancellationToken)
    {
        string marker = (++_syncCounter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (_syncCounter == 1)
            await SubscribeAsync([_syncTopic], cancellationToken).ConfigureAwait(false);
        await PublishAsync(_syncTopic, Encoding.ASCII.GetBytes(marker), retain: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        var received = new List<ReceivedMessage>();
        while (true)
        {
            var m = await _inbox.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (m.Topic == _syncTopic)
            {
                if (m.PayloadText == marker)
                    break;
                continue;
            }
            received.Add(m);
        }
        while (true)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            idle.CancelAfter(quiet);
            try
            {
                received.Add(await _inbox.Reader.ReadAsync(idle.Token).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return received;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_client.IsConnected)
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build()).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
        {
            // Leaving anyway; the broker drops the session (clean start).
        }
        _client.Dispose();
        _inbox.Writer.TryComplete();
    }
}
