using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Box.Protocol.Tls;

/// <summary>The CA certificate(s) a broker's chain must end at, from a PEM file.</summary>
public static class PinnedCa
{
    /// <exception cref="ArgumentException">the file is missing, unreadable or holds no PEM certificate.</exception>
    public static X509Certificate2Collection Load(string caFile)
    {
        var pinned = new X509Certificate2Collection();
        try
        {
            pinned.ImportFromPemFile(caFile);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{caFile} is not a PEM certificate file ({e.Message})", e);
        }
        if (pinned.Count == 0)
            throw new ArgumentException($"{caFile} holds no PEM certificate");
        return pinned;
    }
}
