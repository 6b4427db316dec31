using System.Buffers;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Box.Agent.Cloud.Commands;
using Box.Agent.Cloud.Queue;
using MQTTnet;
using MQTTnet.Protocol;
using Polly;
using Polly.Retry;
using Box.Protocol.Topics;

namespace Box.Agent.Cloud.Link;

/// <summary>The box's MQTT 5 session (docs/contract.md "Session"): retained status with a
/// retained last will, debounced retained state, retained pairing, events,
/// telemetry and usage through the durable <see cref="OfflineQueue"/>, commands and
/// desired config posted to the supervisor. One background loop owns the
/// connection: it connects, serves, and on any loss reconnects after a
/// delay from <see cref="ReconnectBackoff"/> (Polly retry); disconnect events only cancel the
/// current session, they never start a loop of their own.</summary>
public sealed class MqttCloudLink : ICloudLink, IReplySink
{
    readonly CloudLinkOptions _options;
    readonly TimeProvider _time;
    readonly Action<string, string>? _log;
    readonly BrokerTrust _trust;
    readonly ReconnectBackoff _backoff;
    readonly OfflineQueue _queue;
    readonly EventSequence _sequence;
    readonly MqttClientFactory _factory = new();
    readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    readonly object _eventGate = new();
    readonly CancellationTokenSource _stop = new();

    readonly RetainedDocuments _retained;

    volatile LinkSession? _current;
    string? _lastReportedFailure;
    int _started;
    Task _loop = Task.CompletedTask;
    bool _disposed;

    public MqttCloudLink(CloudLinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = options.TimeProvider;
        _log = options.Log;
        Topics = TopicLayout.Parse(options.TopicPrefix).Topics(options.BoxId);
        _trust = BrokerTrust.Load(options);
        _retained = new RetainedDocuments(_time, options.StateDebounce);
        _backoff = new ReconnectBackoff(options.ReconnectBaseDelay, options.ReconnectMaxDelay, options.StableAfter, options.ReconnectWindow);
        var cloudDir = Path.Combine(options.DataDir, "cloud");
        _sequence = new EventSequence(Path.Combine(cloudDir, "event-seq"));
        _queue = OfflineQueue.Open(Path.Combine(cloudDir, "queue"), options.QueueLimits, _log);
        _queue.Appended += Wake;
    }

    public BoxTopics Topics { get; }

    public bool IsConnected => _current is { Ready: true };

    /// <summary>Messages waiting in the offline queue (and not yet PUBACKed).</summary>
    public int QueuedMessages => _queue.Count;

    /// <summary>Messages the full queue had to drop since start.</summary>
    public (long Telemetry, long Events) DroppedMessages => (_queue.DroppedTelemetry, _queue.DroppedEvents);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Exactly one connection loop per link, however often this is called.
        if (Interlocked.Exchange(ref _started, 1) != 0)
            return Task.CompletedTask;
        cancellationToken.Register(() => _stop.Cancel());
        _loop = Task.Run(() => RunAsync(_stop.Token));
        return Task.CompletedTask;
    }

    /// <summary>Clean stop: publishes retained <c>{"online":false}</c>,
    /// disconnects normally (so the broker drops the will) and ends the loop.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _queue.Flush();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        await StopAsync();
        _disposed = true;
        _queue.Appended -= Wake;
        _queue.Dispose();
        _stop.Dispose();
    }

    public void ReportState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _retained.SetState(JsonPayload.Serialize(state));
        Wake();
    }

    public void ReportPairing(JsonObject? pairing)
    {
        _retained.SetPairing(pairing is null ? [] : JsonPayload.Serialize(pairing));
        Wake();
    }

    public void PublishEvent(string type, JsonObject? fields = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        // One lock around seq and append: queue order is seq order.
        lock (_eventGate)
        {
            var seq = _sequence.Next();
            var payload = JsonPayload.Write(w =>
            {
                w.WriteNumber("seq", seq);
                w.WriteString("type", type);
                w.WriteNumber("ts", _time.GetUtcNow().ToUnixTimeSeconds());
                JsonPayload.WriteFields(w, fields, "seq", "type", "ts");
            });
            _queue.Append(QueueKind.Event, payload);
        }
    }

    public void PublishTelemetry(JsonObject metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var payload = JsonPayload.Write(w =>
        {
            if (!metrics.ContainsKey("ts"))
                w.WriteNumber("ts", _time.GetUtcNow().ToUnixTimeSeconds());
            JsonPayload.WriteFields(w, metrics);
        });
        _queue.Append(QueueKind.Telemetry, payload);
    }

    public void PublishUsage(JsonObject report)
    {
        ArgumentNullException.ThrowIfNull(report);
        // The cloud de-duplicates usage by (box, seq): a report without one
        // could be neither de-duplicated nor told apart, so it is a bug.
        if (report["seq"] is not JsonValue seq || !seq.TryGetValue<long>(out _))
            throw new ArgumentException("a usage report carries an integer seq", nameof(report));
        _queue.Append(QueueKind.Usage, JsonPayload.Serialize(report));
    }

    /// <summary>Usage reports waiting in the offline queue.</summary>
    public int QueuedUsage => _queue.UsageCount;

    public void ClearQueue() => _queue.Clear();

    /// <summary>Changes the queue bounds (from configuration).</summary>
    public void SetQueueLimits(OfflineQueueLimits limits) => _queue.SetLimits(limits);

    public void SendReply(string? responseTopic, byte[]? correlationData, byte[] payload)
    {
        var topic = responseTopic ?? Topics.Reply;
        var session = _current;
        if (session is not { Ready: true })
        {
            _log?.Invoke("info", $"reply to {topic} dropped: offline (a repeated command gets the stored reply)");
            return;
        }
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithCorrelationData(correlationData)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType("application/json")
            .Build();
        _ = PublishReplyAsync(session, message);
    }

    async Task PublishReplyAsync(LinkSession session, MqttApplicationMessage message)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.PublishTimeout, _time);
            var result = await session.Client.PublishAsync(message, timeout.Token).ConfigureAwait(false);
            if (!result.IsSuccess)
                _log?.Invoke("warn", $"reply to {message.Topic} refused by the broker: {result.ReasonCode} {result.ReasonString}");
        }
        catch (Exception e)
        {
            _log?.Invoke("warn", $"reply to {message.Topic} not sent: {Describe(e)}");
        }
    }

    void Wake() => _wake.Writer.TryWrite(true);

    void Post(CloudInput input)
    {
        try
        {
            _options.Post(input);
        }
        catch (Exception e)
        {
            _log?.Invoke("error", $"posting {input.GetType().Name} to the supervisor failed: {e.Message}");
        }
    }

    // ---- the connection loop ------------------------------------------------

    async Task RunAsync(CancellationToken stop)
    {
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(_ => !stop.IsCancellationRequested),
                DelayGenerator = _ => ValueTask.FromResult<TimeSpan?>(_backoff.NextDelay()),
                OnRetry = args =>
                {
                    _log?.Invoke("debug", $"reconnecting in {args.RetryDelay.TotalSeconds:0.0} s (attempt {args.AttemptNumber + 1})");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        try
        {
            await pipeline.ExecuteAsync(ConnectAndServeAsync, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _log?.Invoke("error", $"cloud link loop ended: {Describe(e)}");
        }
    }

    /// <summary>One connection: connect, serve until lost, and throw so the
    /// retry pipeline waits and comes back; returns only on stop.</summary>
    async ValueTask ConnectAndServeAsync(CancellationToken stop)
    {
        using var client = _factory.CreateMqttClient();
        var session = new LinkSession(client);
        client.DisconnectedAsync += e =>
        {
            session.Lose(e.ClientWasConnected ? $"disconnected: {DescribeDisconnect(e)}" : null);
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += e =>
        {
            Receive(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        DateTimeOffset? upSince = null;
        try
        {
            await ConnectAsync(client, stop).ConfigureAwait(false);
            upSince = _time.GetUtcNow();
            _current = session;
            await PublishAsync(client, Topics.Status, StatusDocument(), retain: true, stop).ConfigureAwait(false);
            session.Ready = true;
            _lastReportedFailure = null;
            _log?.Invoke("info", $"connected to {_options.Broker}");
            Post(new CloudInput.LinkUp());
            await ServeAsync(session, stop).ConfigureAwait(false);
            if (stop.IsCancellationRequested)
            {
                await DisconnectCleanlyAsync(client).ConfigureAwait(false);
                return;
            }
            throw new CloudLinkException(session.Reason ?? "connection lost");
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            var reason = e is CloudLinkException ? e.Message : DescribeFailure(e);
            if (!session.Ready)
                reason = $"connect to {_options.Broker}: {reason}";
            if (session.Ready)
            {
                _log?.Invoke("warn", $"cloud link down: {reason}");
                Post(new CloudInput.LinkDown(reason));
            }
            else if (reason != _lastReportedFailure)
            {
                // A long outage would repeat the same reason at every attempt.
                _log?.Invoke("warn", $"cannot connect to {_options.Broker}: {reason}");
                Post(new CloudInput.LinkDown(reason));
            }
            _lastReportedFailure = reason;
            throw new CloudLinkException(reason, e);
        }
        finally
        {
            session.Ready = false;
            if (_current == session)
                _current = null;
            if (upSince is { } since)
                _backoff.ConnectionEnded(_time.GetUtcNow() - since);
            session.Lose(null);
            session.Dispose();
        }
    }

    async Task ConnectAsync(IMqttClient client, CancellationToken stop)
    {
        _trust.Reset();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_options.ConnectTimeout);
        MqttClientConnectResult result;
        try
        {
            result = await client.ConnectAsync(ClientOptions.Build(_options, Topics, _trust), timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            throw new CloudLinkException($"no CONNACK within {_options.ConnectTimeout.TotalSeconds:0.#} s");
        }
        if (result.ResultCode != MqttClientConnectResultCode.Success)
            throw new CloudLinkException($"broker refused the connection: {result.ResultCode} {result.ReasonString}".TrimEnd());
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.Cmd, MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.Config, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var subscribed = await client.SubscribeAsync(subscribe, timeout.Token).ConfigureAwait(false);
        foreach (var item in subscribed.Items)
        {
            if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
                throw new CloudLinkException($"broker refused the subscription to {item.TopicFilter.Topic}: {item.ResultCode}");
        }
    }

    async Task ServeAsync(LinkSession session, CancellationToken stop)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, session.Lost);
        var token = linked.Token;
        _retained.RepublishAll();
        var client = session.Client;
        var nextPing = _time.GetUtcNow() + _options.LivenessInterval;
        try
        {
            while (!token.IsCancellationRequested)
            {
                _wake.Reader.TryRead(out _);
                if (_retained.TakePairing() is { } pairing)
                    await PublishAsync(client, Topics.Pairing, pairing, retain: true, token).ConfigureAwait(false);
                if (_retained.TakeDueState() is var (state, version))
                {
                    await PublishAsync(client, Topics.State, state, retain: true, token).ConfigureAwait(false);
                    _retained.StateSent(version);
                }
                // A bounded batch, so state and the watchdog get their turn.
                for (var i = 0; i < 64 && _queue.TryPeek(out var queued); i++)
                {
                    var topic = queued.Kind switch
                    {
                        QueueKind.Event => Topics.Events,
                        QueueKind.Usage => Topics.Usage,
                        _ => Topics.Telemetry,
                    };
                    await PublishAsync(client, topic, queued.Payload, retain: false, token, queuedId: queued.Id).ConfigureAwait(false);
                    _queue.Acknowledge(queued.Id);
                }
                var now = _time.GetUtcNow();
                if (now >= nextPing)
                {
                    await CheckLivenessAsync(session, token).ConfigureAwait(false);
                    nextPing = _time.GetUtcNow() + _options.LivenessInterval;
                }
                if (_queue.Count > 0)
                    continue;
                await WaitAsync(_retained.NextDue(nextPing) - _time.GetUtcNow(), token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (CloudLinkException e)
        {
            session.Lose(e.Message);
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            session.Lose(DescribeFailure(e));
        }
    }

    async Task CheckLivenessAsync(LinkSession session, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(_options.LivenessTimeout);
        try
        {
            await session.Client.PingAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!token.IsCancellationRequested)
        {
            throw new CloudLinkException(e is OperationCanceledException
                ? $"liveness: no PINGRESP within {_options.LivenessTimeout.TotalSeconds:0.#} s (half-open connection)"
                : $"liveness: ping failed: {Describe(e)}");
        }
    }

    async Task WaitAsync(TimeSpan wait, CancellationToken token)
    {
        if (wait <= TimeSpan.Zero)
            return;
        using var waitCts = CancellationTokenSource.CreateLinkedTokenSource(token);
        var woken = _wake.Reader.WaitToReadAsync(waitCts.Token).AsTask();
        var elapsed = Task.Delay(wait, _time, waitCts.Token);
        await Task.WhenAny(woken, elapsed).ConfigureAwait(false);
        await waitCts.CancelAsync().ConfigureAwait(false);
        token.ThrowIfCancellationRequested();
    }

    async Task PublishAsync(IMqttClient client, string topic, byte[] payload, bool retain, CancellationToken token, long queuedId = 0)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType(payload.Length == 0 ? null : "application/json")
            .Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(_options.PublishTimeout);
        MqttClientPublishResult result;
        try
        {
            result = await client.PublishAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            throw new CloudLinkException($"no PUBACK for {topic} within {_options.PublishTimeout.TotalSeconds:0.#} s");
        }
        if (!result.IsSuccess)
        {
            // The broker will refuse it again (ACL, size, quota): retrying
            // would block everything behind it, so it is dropped and said.
            _log?.Invoke("error", $"broker refused {topic}{(queuedId > 0 ? $" (queued #{queuedId})" : "")}: {result.ReasonCode} {result.ReasonString}; dropped");
        }
    }

    async Task DisconnectCleanlyAsync(IMqttClient client)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.PublishTimeout, _time);
            await PublishAsync(client, Topics.Status, ClientOptions.OfflineStatus, retain: true, timeout.Token).ConfigureAwait(false);
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder()
                .WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection)
                .Build(), timeout.Token).ConfigureAwait(false);
            _log?.Invoke("info", "disconnected cleanly");
        }
        catch (Exception e)
        {
            _log?.Invoke("warn", $"clean disconnect failed (the last will says offline instead): {Describe(e)}");
        }
    }

    void Receive(MqttApplicationMessage message)
    {
        // Runs on MQTTnet's receive path: copy, post, return.
        try
        {
            if (message.Topic == Topics.Cmd)
                Post(new CloudInput.CommandArrived(message.Payload.ToArray(), message.ResponseTopic, message.CorrelationData));
            else if (message.Topic == Topics.Config)
                Post(new CloudInput.DesiredConfigArrived(message.Payload.ToArray()));
            else
                _log?.Invoke("debug", $"ignored a message on {message.Topic}");
        }
        catch (Exception e)
        {
            _log?.Invoke("error", $"receiving on {message.Topic} failed: {e.Message}");
        }
    }

    byte[] StatusDocument() => JsonPayload.Write(w =>
    {
        w.WriteBoolean("online", true);
        w.WriteString("fw", _options.FirmwareVersion);
        w.WriteString("slot", _options.Slot);
        w.WriteNumber("bootedAt", _options.BootedAt);
    });

    string DescribeFailure(Exception e)
    {
        if (_trust.LastProblem is { } tls)
            return "TLS: " + tls;
        var text = Describe(e);
        if (_options.Broker.Scheme == "mqtts" && _trust.ClientCertificate is null && e is not CloudLinkException)
            text += " (if the broker requires a client certificate, none is configured)";
        return text;
    }

    static string DescribeDisconnect(MqttClientDisconnectedEventArgs e)
    {
        var text = e.Reason.ToString();
        if (!string.IsNullOrEmpty(e.ReasonString))
            text += " " + e.ReasonString;
        if (e.Exception is { } exception)
            text += ": " + Describe(exception);
        return text;
    }

    /// <summary>The messages of an exception and its causes, without repeats, on one line.</summary>
    internal static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            var message = current.Message.ReplaceLineEndings(" ").Trim();
            if (message.Length > 0 && !parts.Any(p => p.Contains(message, StringComparison.Ordinal)))
                parts.Add(message);
        }
        return parts.Count == 0 ? e.GetType().Name : string.Join(": ", parts);
    }
}
