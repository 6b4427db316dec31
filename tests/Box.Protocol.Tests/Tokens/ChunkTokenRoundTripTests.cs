using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Box.Protocol.Tokens;

namespace Box.Protocol.Tests.Tokens;

public sealed class ChunkTokenRoundTripTests : IDisposable
{
    readonly TokenFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Minted_token_verifies_and_carries_its_claims()
    {
        var result = _f.Verifier.Verify(_f.Mint(box: "b1", nbf: TokenFixture.Now.ToUnixTimeSeconds()), TokenFixture.Hash, "b1");

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(200, result.HttpStatus);
        Assert.Equal(TokenFixture.Hash, result.Claims!.H);
        Assert.Equal("j-1", result.Claims.Jti);
        Assert.Equal("b1", result.Claims.Box);
    }

    [Fact]
    public void Token_is_a_jws_compact_es256_jwt()
    {
        string[] parts = _f.Mint(hash: TokenFixture.Hash.ToUpperInvariant()).Split('.');

        Assert.Equal(3, parts.Length);
        Assert.Equal("""{"alg":"ES256","typ":"JWT","kid":"k1"}""", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])));
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        Assert.Equal(TokenFixture.Hash, (string?)claims["h"]);
        Assert.Equal(TokenFixture.Now.ToUnixTimeSeconds() + 600, (long)claims["exp"]!);
        Assert.False(claims.ContainsKey("box"));
        byte[] signature = Base64Url.DecodeFromChars(parts[2]);
        Assert.Equal(64, signature.Length);
        Assert.True(_f.Key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void Kid_picks_the_key_and_no_kid_uses_the_default()
    {
        Assert.True(_f.Verifier.Verify(_f.Mint(kid: null), TokenFixture.Hash).IsValid);
        var byK2 = new ChunkTokenMinter(_f.Key2, "k2").Mint(TokenFixture.Hash, TokenFixture.Now.AddMinutes(5), "j-2");
        Assert.True(_f.Verifier.Verify(byK2, TokenFixture.Hash).IsValid);
    }

    [Fact]
    public void Inspect_skips_only_the_checks_it_is_not_given()
    {
        string token = _f.Mint(box: "b2");
        Assert.True(_f.Verifier.Inspect(token).IsValid);
        Assert.Equal(ChunkTokenFailure.WrongBox, _f.Verifier.Inspect(token, boxId: "b1").Failure);
        Assert.Equal(ChunkTokenFailure.WrongChunk, _f.Verifier.Inspect(token, TokenFixture.OtherHash).Failure);
        Assert.Equal(ChunkTokenFailure.Expired, _f.Verifier.Inspect(_f.Mint(ttl: -3600)).Failure);
        Assert.Equal(ChunkTokenFailure.BadSignature, _f.Verifier.Inspect(_f.Sign("""{"alg":"ES256","kid":"k1"}""", _f.Claims(), _f.Key2)).Failure);
    }

    [Fact]
    public void Clock_skew_is_tolerated_on_exp_and_nbf()
    {
        long now = TokenFixture.Now.ToUnixTimeSeconds();
        Assert.True(_f.Verifier.Verify(_f.Mint(ttl: -29), TokenFixture.Hash).IsValid);
        Assert.True(_f.Verifier.Verify(_f.Mint(nbf: now + 29), TokenFixture.Hash).IsValid);
        Assert.Equal(ChunkTokenFailure.Expired, _f.Verifier.Verify(_f.Mint(ttl: -30), TokenFixture.Hash).Failure);
        Assert.Equal(ChunkTokenFailure.NotYetValid, _f.Verifier.Verify(_f.Mint(nbf: now + 31), TokenFixture.Hash).Failure);
    }

    [Fact]
    public void Time_comes_from_the_time_provider()
    {
        string token = _f.Mint(ttl: 60);
        Assert.True(_f.Verifier.Verify(token, TokenFixture.Hash).IsValid);
        _f.Clock.Advance(TimeSpan.FromSeconds(91));
        var result = _f.Verifier.Verify(token, TokenFixture.Hash);
        Assert.Equal(ChunkTokenFailure.Expired, result.Failure);
        Assert.Equal(403, result.HttpStatus);
    }

    [Fact]
    public void Minter_refuses_bad_claims()
    {
        var minter = new ChunkTokenMinter(_f.Key, "k1");
        Assert.Throws<ArgumentException>(() => minter.Mint("0123", TokenFixture.Now, "ok"));
        Assert.Throws<ArgumentException>(() => minter.Mint(TokenFixture.Hash, TokenFixture.Now, "j\u00e9"));
        Assert.Throws<ArgumentException>(() => minter.Mint(TokenFixture.Hash, TokenFixture.Now, "ok", box: "a/b"));
        Assert.Throws<ArgumentException>(() => new ChunkTokenMinter(_f.Key, "k 1"));
    }

    [Fact]
    public void Keys_other_than_p256_are_refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Throws<ArgumentException>(() => new ChunkTokenMinter(p384));
        Assert.Throws<ArgumentException>(() => ChunkTokenKeys.FromPem(p384.ExportSubjectPublicKeyInfoPem()));
        Assert.Throws<ArgumentException>(() => ChunkTokenKeys.FromPem(null, new Dictionary<string, string> { ["k"] = "not a pem" }));
        Assert.NotNull(ChunkTokenKeys.Problem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"));
        Assert.Null(ChunkTokenKeys.Problem(TokenFixture.PublicPem(_f.Key)));
    }
}
