using System.Security.Cryptography;

namespace Box.Protocol.Tokens;

/// <summary>The scheduler's public keys a box trusts: by <c>kid</c>
/// (config <c>scheduler.publicKeys</c>) and one default for tokens without
/// <c>kid</c> (<c>scheduler.publicKeyPem</c>). Only ECDSA P-256.</summary>
public sealed class ChunkTokenKeys : IDisposable
{
    readonly Dictionary<string, ECDsa> _byKid;

    ChunkTokenKeys(ECDsa? defaultKey, Dictionary<string, ECDsa> byKid)
    {
        Default = defaultKey;
        _byKid = byKid;
    }

    public ECDsa? Default { get; }

    public IReadOnlyCollection<string> Kids => _byKid.Keys;

    /// <exception cref="ArgumentException">a PEM is not an ECDSA P-256 public key, or a kid is unusable.</exception>
    public static ChunkTokenKeys FromPem(string? defaultPem, IReadOnlyDictionary<string, string>? pemByKid = null)
    {
        var keys = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        ECDsa? defaultKey = null;
        try
        {
            if (!string.IsNullOrWhiteSpace(defaultPem))
                defaultKey = Import(defaultPem, "scheduler.publicKeyPem");
            foreach (var (kid, pem) in pemByKid ?? new Dictionary<string, string>())
            {
                if (!ChunkTokenFormat.IsPrintableAscii(kid, ChunkTokenFormat.MaxKidLength))
                    throw new ArgumentException($"scheduler.publicKeys: kid '{kid}' must be 1..{ChunkTokenFormat.MaxKidLength} printable ASCII characters");
                keys[kid] = Import(pem, $"scheduler.publicKeys.{kid}");
            }
        }
        catch
        {
            defaultKey?.Dispose();
            foreach (var key in keys.Values)
                key.Dispose();
            throw;
        }
        return new ChunkTokenKeys(defaultKey, keys);
    }

    /// <summary>Null when <paramref name="pem"/> is an ECDSA P-256 public key, else why not.</summary>
    public static string? Problem(string pem)
    {
        try
        {
            Import(pem, "").Dispose();
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message.TrimStart(':', ' ');
        }
    }

    /// <summary>The key for <paramref name="kid"/>; without kid the default.</summary>
    public ECDsa? Find(string? kid) => kid is null ? Default : _byKid.GetValueOrDefault(kid);

    static ECDsa Import(string pem, string what)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new ArgumentException($"{what}: not an EC public key in PEM ({e.Message})", e);
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new ArgumentException($"{what}: expected an ECDSA P-256 key, got {key.KeySize} bits");
        }
        return key;
    }

    public void Dispose()
    {
        Default?.Dispose();
        foreach (var key in _byKid.Values)
            key.Dispose();
    }
}
