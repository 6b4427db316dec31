using System.CommandLine;
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
    public const string PrivateKeyFile = "scheduler-key.pem";
    public const string PublicKeyFile = "scheduler-key.pub.pem";

    /// <summary>The <c>token</c> command tree. <c>mint --key</c> is mint's own
    /// option (the scheduler's private key): it shadows the global client-key
    /// <c>--key</c> there, so it must stand after <c>mint</c>.</summary>
    public static Command Create(Func<ParseResult, CancellationToken, CommandContext> context, TimeProvider clock)
    {
        var outDir = Required(CliOptions.Text("--out", "DIR", "directory for the key pair"));
        var force = CliOptions.Flag("--force", "overwrite an existing key pair");
        var keygen = new Command("keygen", $"a new P-256 key pair: DIR/{PrivateKeyFile} (owner-only) and DIR/{PublicKeyFile}")
        {
            outDir, force,
        };
        keygen.SetAction((r, ct) => Task.FromResult(Keygen(context(r, ct), r.GetValue(outDir)!, r.GetValue(force))));

        var key = Required(CliOptions.Text("--key", "KEY.pem", "the scheduler's private key, PEM (not the MQTT client key)"));
        var mintHash = Required(CliOptions.Text("--hash", "SHA256", "the chunk's SHA-256, 64 hex digits"));
        var ttl = CliOptions.Long("--ttl", 1, 366L * 24 * 3600, "SECONDS", "lifetime from now (default 3600)");
        var exp = CliOptions.Long("--exp", 0, MaxUnix, "UNIX", "expiry as a Unix time (instead of --ttl)");
        var nbf = CliOptions.Long("--nbf", 0, MaxUnix, "UNIX", "not valid before this Unix time");
        var jti = CliOptions.Text("--jti", "X", "token id (default: 24 random hex digits)");
        var mintKid = CliOptions.Text("--kid", "K", "key id in the header, for boxes holding several scheduler keys");
        var mintBox = CliOptions.Text("--box", "ID", "only this box accepts the token");
        var mint = new Command("mint", "print a chunk token (JWT, ES256) for one chunk")
        {
            key, mintHash, ttl, exp, nbf, jti, mintKid, mintBox,
        };
        mint.SetAction((r, ct) => Task.FromResult(Mint(context(r, ct), clock, r.GetValue(key)!, r.GetValue(mintHash)!, r.GetValue(ttl),
            r.GetValue(exp), r.GetValue(nbf), r.GetValue(jti), r.GetValue(mintKid), r.GetValue(mintBox))));

        var pub = CliOptions.Text("--pub", "PUB.pem", "the scheduler's public key, PEM");
        pub.Aliases.Add("--pubkey");
        var keys = CliOptions.Text("--keys", "KEYS.json", "a key set: {\"kid\":\"PEM\",…} or a box config with scheduler.publicKeys/publicKeyPem");
        var verifyKid = CliOptions.Text("--kid", "K", "the key id --pub is known by (without it --pub is only the default key)");
        var verifyHash = CliOptions.Text("--hash", "SHA256", "also check the token is for this chunk");
        var verifyBox = CliOptions.Text("--box", "ID", "also check the token is valid on this box");
        var token = new Argument<string>("TOKEN") { Description = "the token to check" };
        var verify = new Command("verify", "check a chunk token as a box would (exit 1 if it is invalid)")
        {
            pub, keys, verifyKid, verifyHash, verifyBox, token,
        };
        verify.SetAction((r, ct) => Task.FromResult(Verify(context(r, ct), clock, r.GetValue(pub), r.GetValue(keys), r.GetValue(verifyKid),
            r.GetValue(verifyHash), r.GetValue(verifyBox), r.GetValue(token)!)));

        return new Command("token", "scheduler keys and chunk tokens, ES256 JWTs (no broker needed)") { keygen, mint, verify };
    }

    static Option<string?> Required(Option<string?> option)
    {
        option.Required = true;
        return option;
    }

    static int Keygen(CommandContext inv, string dir, bool force)
    {
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

    static int Mint(CommandContext inv, TimeProvider clock, string keyPath, string hash, long? ttl, long? exp, long? nbf,
        string? jti, string? kid, string? box)
    {
        if (ttl is not null && exp is not null)
            throw new UsageException("give --ttl or --exp, not both");
        if (!ChunkTokenFormat.IsSha256Hex(hash))
            throw new UsageException($"--hash must be 64 hex digits (SHA-256), not '{hash}'");
        var claims = new ChunkTokenClaims
        {
            H = hash.ToLowerInvariant(),
            Exp = exp ?? clock.GetUtcNow().ToUnixTimeSeconds() + (ttl ?? 3600),
            Jti = jti ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
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

    static int Verify(CommandContext inv, TimeProvider clock, string? pubPath, string? keysPath, string? kid, string? hash, string? box,
        string token)
    {
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
