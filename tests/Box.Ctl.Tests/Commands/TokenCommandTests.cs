using Box.Ctl.Tests.Support;

namespace Box.Ctl.Tests.Commands;

public sealed class TokenCommandTests : IDisposable
{
    const string Hash = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";
    readonly string _dir = Directory.CreateTempSubdirectory("boxctl-token-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string PrivateKey => Path.Combine(_dir, "scheduler-key.pem");
    string PublicKey => Path.Combine(_dir, "scheduler-key.pub.pem");

    [Fact]
    public async Task Keygen_mint_verify_round_trip()
    {
        var keygen = await CtlRunner.RunAsync("token", "keygen", "--out", _dir);
        Assert.True(keygen.ExitCode == 0, keygen.ToString());
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(PrivateKey));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", File.ReadAllText(PublicKey));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PrivateKey));

        var mint = await CtlRunner.RunAsync("token", "mint", "--key", PrivateKey, "--hash", Hash, "--ttl", "600", "--jti", "t-1");
        Assert.True(mint.ExitCode == 0, mint.ToString());
        string token = mint.Out.Trim();

        Assert.Equal(3, token.Split('.').Length); // JWS compact: header.claims.signature

        var verify = await CtlRunner.RunAsync("token", "verify", "--pub", PublicKey, token, "--hash", Hash);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains($"valid: chunk {Hash}", verify.Out);
        Assert.Contains("jti t-1", verify.Out);
    }

    [Fact]
    public async Task Kid_box_and_a_key_set_follow_the_box_rules()
    {
        Assert.Equal(0, (await CtlRunner.RunAsync("token", "keygen", "--out", _dir)).ExitCode);
        var mint = await CtlRunner.RunAsync("--json", "token", "mint", "--key", PrivateKey, "--hash", Hash, "--kid", "2026-12", "--box", "b1", "--exp", "4102444800", "--jti", "t-2");
        Assert.True(mint.ExitCode == 0, mint.ToString());
        var minted = System.Text.Json.Nodes.JsonNode.Parse(mint.Out)!;
        Assert.Equal("2026-12", (string?)minted["kid"]);
        Assert.Equal(4102444800, (long)minted["exp"]!);
        string token = (string)minted["token"]!;
        string keys = Path.Combine(_dir, "keys.json");
        File.WriteAllText(keys, new System.Text.Json.Nodes.JsonObject
        {
            ["scheduler"] = new System.Text.Json.Nodes.JsonObject { ["publicKeys"] = new System.Text.Json.Nodes.JsonObject { ["2026-12"] = File.ReadAllText(PublicKey) } },
        }.ToJsonString());

        var ok = await CtlRunner.RunAsync("token", "verify", "--keys", keys, token, "--hash", Hash, "--box", "b1");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("box b1", ok.Out);

        var otherBox = await CtlRunner.RunAsync("token", "verify", "--keys", keys, token, "--box", "b2");
        Assert.Equal(1, otherBox.ExitCode);
        Assert.Contains("(403 WrongBox)", otherBox.Err);

        // --pub without --kid is only the default key: a kid token names a key it does not have.
        var noKid = await CtlRunner.RunAsync("--json", "token", "verify", "--pub", PublicKey, token);
        Assert.Equal(1, noKid.ExitCode);
        Assert.Contains("\"status\":401", noKid.Out);
        Assert.Contains("\"error\":\"UnknownKey\"", noKid.Out);
        Assert.Equal(0, (await CtlRunner.RunAsync("token", "verify", "--pub", PublicKey, "--kid", "2026-12", token)).ExitCode);
    }

    [Fact]
    public async Task Verify_fails_with_a_reason_for_a_tampered_token_and_keygen_keeps_existing_keys()
    {
        Assert.Equal(0, (await CtlRunner.RunAsync("token", "keygen", "--out", _dir)).ExitCode);
        string token = (await CtlRunner.RunAsync("token", "mint", "--key", PrivateKey, "--hash", Hash)).Out.Trim();
        string tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        var verify = await CtlRunner.RunAsync("token", "verify", "--pub", PublicKey, tampered);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("invalid token: the signature does not match the scheduler key (401 BadSignature)", verify.Err);
        var again = await CtlRunner.RunAsync("token", "keygen", "--out", _dir);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("not overwriting", again.Err);
    }

    [Fact]
    public async Task Mint_refuses_a_bad_hash_and_a_public_key()
    {
        Assert.Equal(0, (await CtlRunner.RunAsync("token", "keygen", "--out", _dir)).ExitCode);

        var badHash = await CtlRunner.RunAsync("token", "mint", "--key", PrivateKey, "--hash", "abc");
        Assert.Equal(2, badHash.ExitCode);
        Assert.Contains("--hash must be 64 hex digits", badHash.Err);

        var publicOnly = await CtlRunner.RunAsync("token", "mint", "--key", PublicKey, "--hash", Hash);
        Assert.Equal(2, publicOnly.ExitCode);
        Assert.Contains("no EC private key", publicOnly.Err);
    }
}
