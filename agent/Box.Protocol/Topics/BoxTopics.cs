namespace Box.Protocol.Topics;

/// <summary>The topics of one box, <see cref="Prefix"/> being e.g. <c>box/b1/</c>.</summary>
public sealed record BoxTopics(string Prefix)
{
    public string Status => Prefix + TopicNames.Status;
    public string State => Prefix + TopicNames.State;
    public string Telemetry => Prefix + TopicNames.Telemetry;
    public string Events => Prefix + TopicNames.Events;
    public string Cmd => Prefix + TopicNames.Cmd;
    public string Reply => Prefix + TopicNames.Reply;
    public string Config => Prefix + TopicNames.Config;
    public string Pairing => Prefix + TopicNames.Pairing;
    public string Usage => Prefix + TopicNames.Usage;
}
