using System.Collections.Concurrent;
using System.Threading.Channels;
using Box.Agent.Cloud.Commands;
using Box.Agent.Cloud.Link;
using Box.Protocol.Topics;

namespace Box.Agent.Cloud.Tests.Fixtures;

/// <summary>The cloud side of an agent as the supervisor wires it: a link
/// posting into a channel, one loop reading it and dispatching commands.</summary>
public sealed class AgentHarness : IAsyncDisposable
{
    readonly Channel<CloudInput> _inputs = Channel.CreateUnbounded<CloudInput>();
    readonly ConcurrentQueue<CloudInput> _seen = new();
    readonly ConcurrentQueue<string> _logs = new();
    readonly Task _loop;

    public MqttCloudLink Link { get; }
    public CommandDispatcher Dispatcher { get; }
    public string BoxId { get; }
    public string DataDir { get; }
    public BoxTopics Topics => Link.Topics;

    AgentHarness(Uri broker, string dataDir, string boxId, Func<CloudLinkOptions, CloudLinkOptions>? configure, Action<CommandDispatcher>? register)
    {
        BoxId = boxId;
        DataDir = dataDir;
        var options = new CloudLinkOptions
        {
            Broker = broker,
            BoxId = boxId,
            DataDir = dataDir,
            Post = input => _inputs.Writer.TryWrite(input),
            FirmwareVersion = "1.2.0",
            Slot = "b",
            BootedAt = 1_700_000_000,
            ReconnectBaseDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
            StateDebounce = TimeSpan.FromMilliseconds(100),
            ConnectTimeout = TimeSpan.FromSeconds(3),
            Log = (level, message) => _logs.Enqueue($"{level}: {message}"),
        };
        Link = new MqttCloudLink(configure?.Invoke(options) ?? options);
        Dispatcher = new CommandDispatcher(Link, dataDir, log: (level, message) => _logs.Enqueue($"{level}: {message}"));
        register?.Invoke(Dispatcher);
        _loop = Task.Run(LoopAsync);
    }

    public static async Task<AgentHarness> StartAsync(Uri broker, string dataDir, string? boxId = null,
        Func<CloudLinkOptions, CloudLinkOptions>? configure = null, Action<CommandDispatcher>? register = null, bool waitForLinkUp = true)
    {
        var harness = new AgentHarness(broker, dataDir, boxId ?? "box-" + Guid.NewGuid().ToString("N")[..8], configure, register);
        await harness.Link.StartAsync(CancellationToken.None);
        if (waitForLinkUp)
            await Eventually.TrueAsync(() => harness.Link.IsConnected, $"link up ({harness.LogText})");
        return harness;
    }

    async Task LoopAsync()
    {
        await foreach (var input in _inputs.Reader.ReadAllAsync())
        {
            _seen.Enqueue(input);
            if (input is CloudInput.CommandArrived command)
                await Dispatcher.DispatchAsync(command);
        }
    }

    public IReadOnlyList<CloudInput> Seen => _seen.ToArray();
    public string LogText => string.Join("\n", _logs);
    public int LinkUps => _seen.Count(i => i is CloudInput.LinkUp);
    public IEnumerable<string> LinkDownReasons => _seen.OfType<CloudInput.LinkDown>().Select(d => d.Reason);

    public async ValueTask DisposeAsync()
    {
        await Link.DisposeAsync();
        _inputs.Writer.TryComplete();
        await _loop;
        Dispatcher.Dispose();
    }
}
