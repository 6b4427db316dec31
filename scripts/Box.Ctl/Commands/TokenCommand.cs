using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Box.Ctl.Cli;
using Box.Ctl.Output;
using Box.Ctl.Tokens;
using Box.Protocol.Tokens;

namespace Box.Ctl.Commands;

/// <summary><c>boxctl token keygen|mint|verify</c>: scheduler keys and chunk
/// tokens, ES256 JWTs (Box.Protocol's minter and verifier; format in README).
/// No broker needed.</summary>
public static class TokenCommand
{
    public const string Usage =
        "token keygen --out DIR [--force]"
        + " | token mint --key KEY.pem --hash SHA256 [--ttl SECONDS | --exp UNIX] [--nbf UNIX] [--jti X] [--kid K] [--box ID]"
        + " | token verify (--pub PUB.pem [--kid K] | --keys KEYS.json) TOKEN [--hash SHA256] [--box ID]";
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
        long? ttl = inv.Args.LongOption("--ttl", 1, 366L * 24 * 3600);
        long? exp = inv.Args.LongOption("--exp", 0, MaxUnix);
        long? nbf = inv.Args.LongOption("--nbf", 0, MaxUnix);
        string jti = inv.Args.Option("--jti") ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        string? kid = inv.Args.Option("--kid");
        string? box = inv.Args.Option("--box");
        inv.Args.EnsureEmpty("token mint");
        if (ttl is not null && exp is not null)
            throw new UsageException("give --ttl or --exp, not both");
        if (!ChunkTokenFormat.IsSha256Hex(hash))
            throw new UsageException($"--hash must be 64 hex digits (SHA-256), not '{hash}'");
        var claims = new ChunkTokenClaims
        {
            H = hash.ToLowerInvariant(),
            Exp = exp ?? clock.GetUtcNow().ToUnixTimeSeconds() + (ttl ?? 3600),
            Jti = jti,
            Nbf = nbf,
            Box = box,
        };
        using var key = SchedulerKeyFiles.LoadPrivate(keyPath, "--key");
        string token;
        try
        {
            token = new ChunkTokenMinter(key, kid).Mint(claims);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message.Split(" (Parameter")[0]);
        }
        if (inv.Options.Json)
        {
            var json = ClaimsJson(claims);
            json["token"] = token;
            json["kid"] = kid;
            inv.Out.WriteLine(Json.Compact(json));
        }
        else
        {
            inv.Out.WriteLine(token);
        }
        return ExitCodes.Ok;
    }

    static int Verify(Invocation inv, TimeProvider clock)
    {
        string? pubPath = inv.Args.Option("--pub") ?? inv.Args.Option("--pubkey");
        string? keysPath = inv.Args.Option("--keys");
        string? kid = inv.Args.Option("--kid");
        string? hash = inv.Args.Option("--hash");
        string? box = inv.Args.Option("--box");
        string token = inv.Args.RequirePositional("TOKEN to verify");
        inv.Args.EnsureEmpty("token verify");
        if ((pubPath is null) == (keysPath is null))
            throw new UsageException("give the scheduler's public key with --pub PUB.pem or a key set with --keys FILE.json");
        if (hash is not null && !ChunkTokenFormat.IsSha256Hex(hash))
            throw new UsageException($"--hash must be 64 hex digits (SHA-256), not '{hash}'");
        using var keys = pubPath is not null ? SchedulerKeyFiles.LoadPublic(pubPath, "--pub", kid) : SchedulerKeyFiles.LoadSet(keysPath!, "--keys");
        var result = new ChunkTokenVerifier(keys, clock).Inspect(token.Trim(), hash, box);
        if (inv.Options.Json)
        {
            var json = result.Claims is { } c ? ClaimsJson(c) : [];
            json["valid"] = result.IsValid;
            json["status"] = result.HttpStatus;
            json["error"] = result.IsValid ? null : result.Failure.ToString();
            json["reason"] = result.Reason;
            inv.Out.WriteLine(Json.Compact(json));
        }
        else if (result.Claims is { } c && result.IsValid)
        {
            inv.Out.WriteLine($"valid: chunk {c.H}, expires {UnixTime.Format(c.Exp)} ({c.Exp}), jti {c.Jti}"
                + (c.Nbf is { } n ? $", not before {UnixTime.Format(n)} ({n})" : "")
                + (c.Box is { } b ? $", box {b}" : "")
                + (hash is null ? " (chunk not checked: no --hash)" : ""));
        }
        if (!result.IsValid)
            inv.Err.WriteLine($"invalid token: {result.Reason} ({result.HttpStatus} {result.Failure})");
        return result.IsValid ? ExitCodes.Ok : ExitCodes.Failed;
    }

    const long MaxUnix = 253402300799; // 9999-12-31

    static JsonObject ClaimsJson(ChunkTokenClaims c) => new()
    {
        ["h"] = c.H,
        ["exp"] = c.Exp,
        ["jti"] = c.Jti,
        ["nbf"] = c.Nbf,
        ["box"] = c.Box,
    };
}
