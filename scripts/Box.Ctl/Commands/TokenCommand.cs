using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Box.Ctl.Cli;
using Box.Ctl.Output;
using Box.Ctl.Tokens;

namespace Box.Ctl.Commands;

/// <summary><c>boxctl token keygen|mint|verify</c>: scheduler keys and chunk
/// tokens (format in <see cref="ChunkToken"/> and README). No broker needed.</summary>
public static class TokenCommand
{
    public const string Usage =
        "token keygen --out DIR [--force] | token mint --key KEY.pem --hash SHA256 [--ttl SECONDS] [--jti X] | token verify --pub PUB.pem TOKEN [--hash SHA256]";
    public const string PrivateKeyFile = "scheduler-key.pem";
    public const string PublicKeyFile = "scheduler-key.pub.pem";

    public static int Run(Invocation inv, TimeProvider clock)
    {
        string action = inv.Args.RequirePositional("token action: keygen, mint or verify (usage: " + Usage + ")");
        return action switch
        {
            "keygen" => Keygen(inv),
            "mint" => Mint(inv, clock),
            "verify" => Verify(inv, clock),
            _ => throw new UsageException($"unknown token action '{action}' (keygen, mint or verify)"),
        };
    }

    static int Keygen(Invocation inv)
    {
        string dir = inv.Args.RequireOption("--out", "directory for the key pair");
        bool force = inv.Args.Flag("--force");
        inv.Args.EnsureEmpty("token keygen");
        string privatePath = Path.Combine(dir, PrivateKeyFile), publicPath = Path.Combine(dir, PublicKeyFile);
        if (!force)
            foreach (string path in new[] { privatePath, publicPath })
                if (File.Exists(path))
                    throw new UsageException($"'{path}' exists; not overwriting a key (use --force)");
        Directory.CreateDirectory(dir);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // The private key is readable by its owner only, from the first byte.
        var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(privatePath, create))
        using (var writer = new StreamWriter(stream))
            writer.Write(key.ExportPkcs8PrivateKeyPem() + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(privatePath, UnixFileMode.UserRead | UnixFileMode.UserWrite); // also when --force reused a file
        File.WriteAllText(publicPath, key.ExportSubjectPublicKeyInfoPem() + "\n");
        if (inv.Options.Json)
            inv.Out.WriteLine(Json.Compact(new JsonObject { ["privateKey"] = privatePath, ["publicKey"] = publicPath }));
        else
            inv.Out.WriteLine($"private key {privatePath}\npublic key  {publicPath}  (give boxes this one: config scheduler.publicKeyPem)");
        return ExitCodes.Ok;
    }

    static int Mint(Invocation inv, TimeProvider clock)
    {
        string keyPath = inv.Args.RequireOption("--key", "the scheduler's private key PEM");
        string hash = inv.Args.RequireOption("--hash", "the chunk's SHA-256");
        long ttl = inv.Args.LongOption("--ttl", 1, 366L * 24 * 3600) ?? 3600;
        string jti = inv.Args.Option("--jti") ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        inv.Args.EnsureEmpty("token mint");
        if (!ChunkToken.IsSha256Hex(hash))
            throw new UsageException($"--hash must be 64 hex digits (SHA-256), not '{hash}'");
        using var key = LoadKey(keyPath, "--key", needPrivate: true);
        long exp = clock.GetUtcNow().ToUnixTimeSeconds() + ttl;
        string token;
        try
        {
            token = ChunkToken.Mint(key, hash, exp, jti);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message.Split(" (Parameter")[0]);
        }
        if (inv.Options.Json)
            inv.Out.WriteLine(Json.Compact(new JsonObject { ["token"] = token, ["h"] = hash.ToLowerInvariant(), ["exp"] = exp, ["jti"] = jti }));
        else
            inv.Out.WriteLine(token);
        return ExitCodes.Ok;
    }

    static int Verify(Invocation inv, TimeProvider clock)
    {
        string pubPath = inv.Args.RequireOption("--pub", "the scheduler's public key PEM");
        string? hash = inv.Args.Option("--hash");
        string token = inv.Args.RequirePositional("TOKEN to verify");
        inv.Args.EnsureEmpty("token verify");
        using var key = LoadKey(pubPath, "--pub", needPrivate: false);
        var check = ChunkToken.Verify(key, token.Trim(), clock.GetUtcNow().ToUnixTimeSeconds(), hash);
        if (inv.Options.Json)
        {
            inv.Out.WriteLine(Json.Compact(new JsonObject
            {
                ["valid"] = check.IsValid,
                ["error"] = check.IsValid ? null : check.Error.ToString(),
                ["reason"] = check.Reason,
                ["h"] = check.Payload?.Hash,
                ["exp"] = check.Payload?.Expires,
                ["jti"] = check.Payload?.Jti,
            }));
        }
        else if (check.IsValid)
        {
            var p = check.Payload!;
            inv.Out.WriteLine($"valid: chunk {p.Hash}, expires {UnixTime.Format(p.Expires)} ({p.Expires}), jti {p.Jti}");
        }
        if (!check.IsValid)
            inv.Err.WriteLine($"invalid token: {check.Reason}");
        return check.IsValid ? ExitCodes.Ok : ExitCodes.Failed;
    }

    static ECDsa LoadKey(string path, string option, bool needPrivate)
    {
        if (!File.Exists(path))
            throw new UsageException($"{option}: no such file '{path}'");
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            if (key.KeySize != 256)
                throw new UsageException($"{option}: '{path}' is a {key.KeySize}-bit EC key; chunk tokens use P-256");
            if (needPrivate)
                key.ExportParameters(includePrivateParameters: true);
            return key;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new UsageException(needPrivate
                ? $"{option}: '{path}' holds no EC private key in PEM (PKCS#8 'PRIVATE KEY' or 'EC PRIVATE KEY')"
                : $"{option}: '{path}' holds no EC public key in PEM ('PUBLIC KEY')");
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
