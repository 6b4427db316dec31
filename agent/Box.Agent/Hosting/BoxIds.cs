namespace Box.Agent.Hosting;

/// <summary>The box id in MQTT topics when none is configured: the board's
/// serial number, reduced to characters that are safe in a topic.</summary>
public static class BoxIds
{
    public static string FromSerial(string serial)
    {
        var safe = new string([.. serial.Trim().Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')]);
        if (safe.Length > 64) safe = safe[..64];
        return safe.Length == 0 ? "box" : safe.ToLowerInvariant();
    }
}
