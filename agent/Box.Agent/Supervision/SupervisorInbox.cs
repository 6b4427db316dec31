using System.Threading.Channels;
using Box.Agent.Cloud.Link;

namespace Box.Agent.Supervision;

/// <summary>The supervisor's one channel. Created before the parts that feed it
/// (the cloud link takes <see cref="PostCloud"/> as its callback). Posting never
/// blocks, so the MQTT receive path and HAL reader threads never wait on the loop.</summary>
public sealed class SupervisorInbox
{
    private readonly Channel<SupervisorInput> _channel =
        Channel.CreateUnbounded<SupervisorInput>(new UnboundedChannelOptions { SingleReader = true });

    public void Post(SupervisorInput input) => _channel.Writer.TryWrite(input);

    public void PostCloud(CloudInput input) => Post(new SupervisorInput.Cloud(input));

    internal ChannelReader<SupervisorInput> Reader => _channel.Reader;
}
