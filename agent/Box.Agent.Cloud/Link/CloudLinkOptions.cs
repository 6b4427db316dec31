using Box.Agent.Cloud.Queue;
using Box.Protocol.Topics;

namespace Box.Agent.Cloud.Link;

/// <summary>Everything <see cref="MqttCloudLink"/> needs. Broker, BoxId and
/// Post are required; the rest has defaults that suit a box on a home line.</summary>
public sealed record CloudLinkOptions
{
    /// <summary><c>mqtt://host[:1883]</c> or <c>mqtts://host[:8883]</c>.</summary>
    public required Uri Broker { get; init; }
    public required string BoxId { get; init; }
    /// <summary>The supervisor's channel writer; must not block (TryWrite).</summary>
    public required Action<CloudInput> Post { get; init; }

    public string TopicPrefix { get; init; } = "box/{id}/";
    /// <summary>Holds <c>cloud/queue/</c> and <c>cloud/event-seq</c>.</summary>
    public string DataDir { get; init; } = "/data";

    /// <summary>PEM file of the CA(s) the broker's certificate must chain to;
    /// when set, no other CA is trusted. Null: the system's CAs.</summary>
    public string? CaFile { get; init; }
    /// <summary>PEM client certificate and its private key, for brokers that require one.</summary>
    public string? ClientCertFile { get; init; }
    public string? ClientKeyFile { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long a publish may wait for its PUBACK before the
    /// connection is taken for dead.</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Watchdog: a PINGREQ this often; no PINGRESP within
    /// <see cref="LivenessTimeout"/> means a half-open connection: reconnect.</summary>
    public TimeSpan LivenessInterval { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan LivenessTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Full-jitter exponential backoff between connection attempts:
    /// random(0, min(max, base·2^failures)).</summary>
    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>A connection that lasted this long resets the backoff.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>After a connection that was up is lost, the first attempt
    /// waits random(0, window): a fleet dropped at once by a broker restart
    /// comes back at N/window connects per second instead of in one spike.
    /// 10 s: a box is back within 5 s on average, and 10,000 boxes arrive at
    /// ~1,000/s, which one mosquitto on a small machine accepts without
    /// dropping SYNs (its listen backlog overflowed at ~3,000/s); fleets of
    /// millions on a cluster widen it (broker.reconnectWindowSeconds).
    /// Zero: plain backoff from the base delay.</summary>
    public TimeSpan ReconnectWindow { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan StateDebounce { get; init; } = TimeSpan.FromMilliseconds(500);
    public OfflineQueueLimits QueueLimits { get; init; } = new();
    /// <summary>Largest packet the broker may send us (MQTT 5 maximum packet
    /// size); larger commands are dropped by the broker, not by the box.</summary>
    public int MaxIncomingPacketBytes { get; init; } = 256 * 1024;

    /// <summary>Fields of the retained <c>status</c> document.</summary>
    public string FirmwareVersion { get; init; } = "0.0.0";
    public string Slot { get; init; } = "a";
    /// <summary>Unix seconds.</summary>
    public long BootedAt { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
    /// <summary>(level, message) with level debug/info/warn/error.</summary>
    public Action<string, string>? Log { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line message
    /// naming the first bad option.</summary>
    public void Validate()
    {
        if (Broker.Scheme is not ("mqtt" or "mqtts") || string.IsNullOrEmpty(Broker.Host))
            throw new ArgumentException($"broker: expected mqtt://host:port or mqtts://host:port, got '{Broker}'");
        _ = TopicLayout.Parse(TopicPrefix).Topics(BoxId); // validates the id too
        if (Broker.Scheme == "mqtt" && (CaFile ?? ClientCertFile ?? ClientKeyFile) is not null)
            throw new ArgumentException($"broker: CA or client certificate files need mqtts://, got '{Broker}'");
        if (CaFile is not null && !File.Exists(CaFile))
            throw new ArgumentException($"ca file: {CaFile} does not exist");
        if ((ClientCertFile is null) != (ClientKeyFile is null))
            throw new ArgumentException("client certificate: give both the certificate and the key file");
        if (ClientCertFile is not null && !File.Exists(ClientCertFile))
            throw new ArgumentException($"client certificate: {ClientCertFile} does not exist");
        if (ClientKeyFile is not null && !File.Exists(ClientKeyFile))
            throw new ArgumentException($"client key: {ClientKeyFile} does not exist");
        if (Password is not null && Username is null)
            throw new ArgumentException("password: given without a username");
        Positive(KeepAlive, "keepalive");
        Positive(ConnectTimeout, "connect timeout");
        Positive(PublishTimeout, "publish timeout");
        Positive(LivenessInterval, "liveness interval");
        Positive(LivenessTimeout, "liveness timeout");
        Positive(ReconnectBaseDelay, "reconnect base delay");
        if (ReconnectWindow < TimeSpan.Zero)
            throw new ArgumentException($"reconnect window: must not be negative, got {ReconnectWindow}");
        if (ReconnectMaxDelay < ReconnectBaseDelay)
            throw new ArgumentException("reconnect max delay: must not be below the base delay");
        if (StateDebounce < TimeSpan.Zero)
            throw new ArgumentException("state debounce: must not be negative");
        QueueLimits.Validate();
        if (MaxIncomingPacketBytes < 1024)
            throw new ArgumentException("max incoming packet: must be at least 1024 bytes");
    }

    static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
            throw new ArgumentException($"{name}: must be positive, got {value}");
    }
}
