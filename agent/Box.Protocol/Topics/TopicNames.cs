namespace Box.Protocol.Topics;

/// <summary>The leaf names under a box's prefix (docs/contract.md, "Topics").</summary>
public static class TopicNames
{
    public const string Status = "status";
    public const string State = "state";
    public const string Telemetry = "telemetry";
    public const string Events = "events";
    public const string Cmd = "cmd";
    public const string Reply = "reply";
    public const string Config = "config";
    public const string Pairing = "pairing";
    public const string Usage = "usage";
}
