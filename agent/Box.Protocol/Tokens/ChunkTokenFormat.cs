namespace Box.Protocol.Tokens;

/// <summary>Limits and field rules shared by the minter and the verifier.</summary>
public static class ChunkTokenFormat
{
    public const string Algorithm = "ES256";
    public const string Type = "JWT";

    /// <summary>Longer tokens are refused before any decoding work.</summary>
    public const int MaxTokenLength = 4096;
    public const int MaxJtiLength = 128;
    public const int MaxKidLength = 128;
    /// <summary>P-256 R‖S (IEEE P1363), RFC 7518 §3.4.</summary>
    public const int SignatureLength = 64;

    /// <summary>Allowed clock difference between scheduler and box, both ways:
    /// boxes keep time by NTP but may be a little off; tokens live minutes.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public static bool IsSha256Hex(string? value)
    {
        if (value is null || value.Length != 64)
            return false;
        foreach (char c in value)
            if (!char.IsAsciiHexDigit(c))
                return false;
        return true;
    }

    /// <summary>1..<paramref name="max"/> printable ASCII characters (jti, kid).</summary>
    public static bool IsPrintableAscii(string? value, int max = MaxJtiLength)
    {
        if (value is null || value.Length == 0 || value.Length > max)
            return false;
        foreach (char c in value)
            if (c is < '!' or > '~')
                return false;
        return true;
    }
}
