using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Box.Ctl.Cli;
using Box.Protocol.Tokens;

namespace Box.Ctl.Tokens;

/// <summary>Reads the scheduler keys boxctl signs and checks tokens with,
/// turning every problem into a <see cref="UsageException"/> naming the flag.</summary>
public static class SchedulerKeyFiles
{
    /// <summary>An ECDSA P-256 private key (PKCS#8 or SEC1 PEM).</summary>
    public static ECDsa LoadPrivate(string path, string option)
    {
        string pem = Read(path, option);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            key.ExportParameters(includePrivateParameters: true); // throws for a public key
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new UsageException($"{option}: '{path}' holds no EC private key in PEM (PKCS#8 'PRIVATE KEY' or 'EC PRIVATE KEY')");
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new UsageException($"{option}: '{path}' is a {key.KeySize}-bit EC key; chunk tokens use P-256");
        }
        return key;
    }

    /// <summary>One public key PEM: the default key (tokens without kid), and
    /// under <paramref name="kid"/> too when given.</summary>
    public static ChunkTokenKeys LoadPublic(string path, string option, string? kid)
    {
        string pem = Read(path, option);
        return Keys(option, path, pem, kid is null ? null : new Dictionary<string, string> { [kid] = pem });
    }

    /// <summary>A key set as JSON: <c>{"kid":"PEM",…}</c>, or a box config
    /// whose <c>scheduler</c> has <c>publicKeys</c> and/or <c>publicKeyPem</c>.</summary>
    public static ChunkTokenKeys LoadSet(string path, string option)
    {
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(Read(path, option)) as JsonObject;
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{option}: '{path}' is not JSON ({ex.Message})");
        }
        if (root is null)
            throw new UsageException($"{option}: '{path}' must hold a JSON object");
        string? defaultPem = null;
        JsonObject? byKid = root;
        if (root["scheduler"] is JsonObject scheduler)
        {
            defaultPem = Text(scheduler["publicKeyPem"], option, path, "scheduler.publicKeyPem");
            byKid = scheduler["publicKeys"] as JsonObject;
        }
        var pems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (kid, value) in byKid ?? [])
            pems[kid] = Text(value, option, path, kid) ?? throw new UsageException($"{option}: '{path}': key '{kid}' must be a PEM string");
        if (defaultPem is null && pems.Count == 0)
            throw new UsageException($"{option}: '{path}' holds no public keys");
        return Keys(option, path, defaultPem, pems);
    }

    static string? Text(JsonNode? node, string option, string path, string what) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        _ => throw new UsageException($"{option}: '{path}': {what} must be a PEM string"),
    };

    static ChunkTokenKeys Keys(string option, string path, string? defaultPem, IReadOnlyDictionary<string, string>? byKid)
    {
        try
        {
            return ChunkTokenKeys.FromPem(defaultPem, byKid);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"{option}: '{path}': {ex.Message}");
        }
    }

    static string Read(string path, string option)
    {
        if (!File.Exists(path))
            throw new UsageException($"{option}: no such file '{path}'");
        return File.ReadAllText(path);
    }
}
