namespace Box.Agent.Configuration;

/// <summary>A configuration document was rejected as a whole. The message is one
/// line naming the source, the key and why, e.g.
/// "config /etc/box.json: store.lowWatermarkPercent: 95 is above store.highWatermarkPercent (90)".</summary>
public sealed class ConfigException(string message) : Exception(message);
