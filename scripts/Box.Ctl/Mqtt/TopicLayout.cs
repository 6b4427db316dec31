using Box.Ctl.Cli;
using ProtocolTopics = Box.Protocol.Topics;

namespace Box.Ctl.Mqtt;

/// <summary>
/// boxctl's view of <see cref="ProtocolTopics.TopicLayout"/> (the one topic layout
/// the agent uses too): the same topics, with bad operator input reported as
/// <see cref="UsageException"/> naming the flag.
/// </summary>
public sealed class TopicLayout
{
    public const string DefaultPrefix = ProtocolTopics.TopicLayout.DefaultPrefix;

    TopicLayout(ProtocolTopics.TopicLayout layout) => Layout = layout;

    public ProtocolTopics.TopicLayout Layout { get; }

    public string Prefix => Layout.Prefix;

    public static TopicLayout Parse(string prefix) =>
        ProtocolTopics.TopicLayout.Problem(prefix) is { } problem
            ? throw new UsageException("--prefix: " + problem)
            : new TopicLayout(ProtocolTopics.TopicLayout.Parse(prefix));

    /// <summary><c>box/{id}/{leaf}</c> for one box.</summary>
    public string For(string boxId, string leaf)
    {
        ValidateId(boxId);
        return Layout.For(boxId, leaf);
    }

    /// <summary><c>box/+/{leaf}</c>: the same leaf of every box.</summary>
    public string ForAll(string leaf) => Layout.ForAll(leaf);

    /// <summary>Splits a topic built by this layout into box id and leaf.</summary>
    public bool TryParse(string topic, out string boxId, out string leaf) => Layout.TryParse(topic, out boxId, out leaf);

    /// <summary>A box id is one topic level: no '/', no wildcards, no spaces.</summary>
    public static void ValidateId(string boxId)
    {
        if (ProtocolTopics.BoxId.Problem(boxId) is { } problem)
            throw new UsageException(problem);
    }
}
