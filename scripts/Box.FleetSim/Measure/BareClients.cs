using System.Diagnostics;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Box.Protocol.Topics;

namespace Box.FleetSim.Measure;

/// <summary>The peer of the fleet's connect figures: plain MQTTnet clients with
/// the agent's session settings (MQTT 5, clean start, keepalive, retained last
/// will) that connect and publish a retained online status in a tight loop
/// (<c>parallel</c> attempts in flight), without any agent behind them.</summary>
public sealed class BareClients(Uri broker, int count, string prefix, int parallel) : IAsyncDisposable
{
    private static readonly byte[] Online = """{"online":true}"""u8.ToArray();
    private static readonly byte[] Offline = """{"online":false}"""u8.ToArray();
    private readonly IMqttClient?[] _clients = new IMqttClient?[count];
    private readonly MqttClientFactory _factory = new();

    /// <summary>Connects them all; returns the elapsed time.</summary>
    public async Task<TimeSpan> ConnectAllAsync(CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancel },
            async (i, token) =>
            {
                var id = FleetSim.Fleet.FleetOptions.FormatId("bare-{n:00000}", i + 1);
                var status = TopicLayout.Parse(prefix).For(id, TopicNames.Status);
                var client = _factory.CreateMqttClient();
                var connect = new MqttClientOptionsBuilder()
                    .WithTcpServer(broker.Host, broker.Port)
                    .WithProtocolVersion(MqttProtocolVersion.V500)
                    .WithClientId(id)
                    .WithCleanStart()
                    .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
                    .WithTimeout(TimeSpan.FromSeconds(30))
                    .WithWillTopic(status)
                    .WithWillPayload(Offline)
                    .WithWillRetain()
                    .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build();
                await client.ConnectAsync(connect, token).ConfigureAwait(false);
                await client.PublishAsync(new MqttApplicationMessageBuilder()
                    .WithTopic(status).WithPayload(Online).WithRetainFlag()
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), token).ConfigureAwait(false);
                _clients[i] = client;
            }).ConfigureAwait(false);
        return clock.Elapsed;
    }

    public int Connected => _clients.Count(c => c is { IsConnected: true });

    /// <summary>Clean disconnects (no wills), all at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_clients.OfType<IMqttClient>().Select(async c =>
        {
            try
            {
                if (c.IsConnected)
                    await c.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or InvalidOperationException)
            {
            }
            c.Dispose();
        })).ConfigureAwait(false);
    }

    internal static string Describe(TimeSpan elapsed, int n) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{n} bare clients connected in {elapsed.TotalMilliseconds:0} ms ({n / Math.Max(elapsed.TotalSeconds, 1e-9):0}/s)");
}
