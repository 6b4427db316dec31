using Box.Agent.Cloud.Commands;
using Box.Agent.Cloud.Link;
using Box.Agent.Cloud.Queue;
using Box.Agent.Commands;
using Box.Agent.Configuration;
using Box.Agent.Logging;
using Box.Agent.Supervision;

namespace Box.Agent.Hosting;

/// <summary>The MQTT cloud link and the command dispatcher, built from the
/// configuration when a broker is set. The link posts into the supervisor's
/// inbox; the dispatcher runs the agent's handlers on the supervisor loop.</summary>
public sealed class CloudWiring : IAsyncDisposable
{
    private CloudWiring(MqttCloudLink link, CommandDispatcher dispatcher)
    {
        Link = link;
        Dispatcher = dispatcher;
    }

    public MqttCloudLink Link { get; }
    public CommandDispatcher Dispatcher { get; }

    /// <summary>Null when no broker is configured. Throws <see cref="ConfigException"/>
    /// when the broker settings are unusable (missing CA file, cert without key).</summary>
    public static CloudWiring? Create(AgentConfig config, string boxId, SupervisorInbox inbox, AgentLog log,
        string firmwareVersion, string? slot, TimeSpan systemUptime)
    {
        if (config.Broker.Url is null) return null;
        var options = new CloudLinkOptions
        {
            Broker = new Uri(config.Broker.Url),
            BoxId = boxId,
            Post = inbox.PostCloud,
            TopicPrefix = config.Broker.TopicPrefix,
            DataDir = config.DataDir,
            CaFile = config.Broker.CaFile,
            ClientCertFile = config.Broker.CertFile,
            ClientKeyFile = config.Broker.KeyFile,
            Username = config.Broker.Username,
            Password = config.Broker.Password,
            ReconnectWindow = TimeSpan.FromSeconds(config.Broker.ReconnectWindowSeconds),
            QueueLimits = new OfflineQueueLimits(config.Queue.MaxMessages, config.Queue.MaxBytes),
            FirmwareVersion = firmwareVersion,
            Slot = slot ?? "unknown",
            BootedAt = (DateTimeOffset.UtcNow - systemUptime).ToUnixTimeSeconds(),
            Log = (level, message) => log.Write(ParseLevel(level), $"cloud: {message}"),
        };
        MqttCloudLink link;
        try
        {
            link = new MqttCloudLink(options);
        }
        catch (Exception e) when (e is ArgumentException or CloudLinkException)
        {
            throw new ConfigException($"broker: {e.Message}");
        }
        var dispatcher = new CommandDispatcher(link, config.DataDir,
            log: (level, message) => log.Write(ParseLevel(level), $"commands: {message}"));
        return new CloudWiring(link, dispatcher);
    }

    /// <summary>Registers the agent's command table, whose handlers act on
    /// <paramref name="supervisor"/>'s concerns (the supervisor was given
    /// <see cref="CommandDispatcher.DispatchAsync"/> when it was built).</summary>
    public void RegisterCommands(Supervisor supervisor)
    {
        foreach (var (name, handler) in new AgentCommands(supervisor).Table)
            Dispatcher.Register(name, handler);
    }

    public async ValueTask DisposeAsync()
    {
        await Link.DisposeAsync().ConfigureAwait(false);
        Dispatcher.Dispose();
    }

    private static LogLevel ParseLevel(string level) => level switch
    {
        "debug" => LogLevel.Debug,
        "warn" => LogLevel.Warn,
        "error" => LogLevel.Error,
        _ => LogLevel.Info,
    };
}
