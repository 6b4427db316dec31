using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Box.Protocol.Tls;

/// <summary>The client certificate a box or boxctl presents to the broker, from PEM files.</summary>
public static class ClientCertificate
{
    /// <exception cref="ArgumentException">either file is missing or unreadable, or the key does not fit the certificate.</exception>
    public static X509Certificate2 Load(string certFile, string keyFile)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ArgumentException($"cannot load {certFile} with key {keyFile} ({e.Message})", e);
        }
    }
}
