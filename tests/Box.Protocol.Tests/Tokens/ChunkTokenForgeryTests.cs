using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Box.Protocol.Tokens;
using F = Box.Protocol.Tokens.ChunkTokenFailure;

namespace Box.Protocol.Tests.Tokens;

/// <summary>Every way we know to forge or garble a token is refused, with
/// the right class: 401 when it does not prove the scheduler signed it, 403
/// when it is genuine but grants something else.</summary>
public sealed class ChunkTokenForgeryTests : IDisposable
{
    readonly TokenFixture _f = new();

    public void Dispose() => _f.Dispose();

    ChunkTokenResult Verify(string? token, string? box = null) => _f.Verifier.Verify(token, TokenFixture.Hash, box);

    void Unauthorized(F expected, string? token)
    {
        var result = Verify(token);
        Assert.Equal(expected, result.Failure);
        Assert.Equal(401, result.HttpStatus);
        Assert.Null(result.Claims);
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
    }

    [Fact]
    public void Alg_none_is_refused_with_or_without_a_signature()
    {
        string unsigned = TokenFixture.B64("""{"alg":"none","typ":"JWT"}""") + "." + TokenFixture.B64(_f.Claims());
        Unauthorized(F.Malformed, unsigned + ".");
        Unauthorized(F.WrongAlgorithm, unsigned + "." + TokenFixture.B64("x"));
        Unauthorized(F.WrongAlgorithm, _f.Sign("""{"alg":"None","kid":"k1"}""", _f.Claims()));
    }

    [Fact]
    public void Hs256_with_the_public_key_as_the_secret_is_refused()
    {
        foreach (var kid in new[] { "\"kid\":\"k1\",", "" })
        {
            string input = TokenFixture.B64($$"""{{{kid}}"alg":"HS256"}""") + "." + TokenFixture.B64(_f.Claims());
            byte[] mac = HMACSHA256.HashData(Encoding.ASCII.GetBytes(TokenFixture.PublicPem(_f.Key)), Encoding.ASCII.GetBytes(input));
            Unauthorized(F.WrongAlgorithm, input + "." + Base64Url.EncodeToString(mac));
        }
    }

    [Fact]
    public void Rs256_and_es384_and_a_missing_or_lowercase_alg_are_refused()
    {
        using var rsa = RSA.Create(2048);
        string input = TokenFixture.B64("""{"alg":"RS256","kid":"k1"}""") + "." + TokenFixture.B64(_f.Claims());
        byte[] rs = rsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Unauthorized(F.WrongAlgorithm, input + "." + Base64Url.EncodeToString(rs));

        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Unauthorized(F.WrongAlgorithm, _f.Sign("""{"alg":"ES384","kid":"k1"}""", _f.Claims(), p384));
        Unauthorized(F.WrongAlgorithm, _f.Sign("""{"kid":"k1"}""", _f.Claims()));
        Unauthorized(F.WrongAlgorithm, _f.Sign("""{"alg":"es256","kid":"k1"}""", _f.Claims()));
        Unauthorized(F.BadJson, _f.Sign("""{"alg":["ES256"],"kid":"k1"}""", _f.Claims()));
    }

    [Fact]
    public void Crit_duplicate_members_and_a_foreign_typ_are_refused()
    {
        Unauthorized(F.UnsupportedHeader, _f.Sign("""{"alg":"ES256","kid":"k1","crit":["exp"],"exp":1}""", _f.Claims()));
        Unauthorized(F.BadJson, _f.Sign("""{"alg":"ES256","kid":"k1","alg":"none"}""", _f.Claims()));
        Unauthorized(F.Malformed, _f.Sign("""{"alg":"ES256","kid":"k1","typ":"at+jwt"}""", _f.Claims()));
        Unauthorized(F.BadJson, _f.Sign("""{"alg":"ES256","kid":"k1"}""", $$"""{"h":"{{TokenFixture.Hash}}","h":"{{TokenFixture.OtherHash}}","exp":1900000000,"jti":"j"}"""));
    }

    [Fact]
    public void Unknown_kid_another_key_and_no_default_are_refused()
    {
        Unauthorized(F.UnknownKey, _f.Sign("""{"alg":"ES256","kid":"k9"}""", _f.Claims()));
        Unauthorized(F.BadSignature, _f.Sign("""{"alg":"ES256","kid":"k1"}""", _f.Claims(), _f.Key2));
        using var keys = ChunkTokenKeys.FromPem(null, new Dictionary<string, string> { ["k1"] = TokenFixture.PublicPem(_f.Key) });
        var result = new ChunkTokenVerifier(keys, _f.Clock).Verify(_f.Mint(kid: null), TokenFixture.Hash);
        Assert.Equal(F.UnknownKey, result.Failure);
    }

    [Fact]
    public void Tampered_payload_signature_or_a_der_signature_fail_the_signature()
    {
        string[] parts = _f.Mint().Split('.');
        string longer = TokenFixture.B64(_f.Claims(ttl: 999_999));
        Unauthorized(F.BadSignature, parts[0] + "." + longer + "." + parts[2]);

        byte[] signature = Base64Url.DecodeFromChars(parts[2]);
        signature[10] ^= 1;
        Unauthorized(F.BadSignature, parts[0] + "." + parts[1] + "." + Base64Url.EncodeToString(signature));
        Unauthorized(F.BadSignature, _f.Sign("""{"alg":"ES256","kid":"k1"}""", _f.Claims(), format: DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void Shape_base64url_and_json_errors_are_401()
    {
        string good = _f.Mint();
        Unauthorized(F.Missing, null);
        Unauthorized(F.Missing, "");
        Unauthorized(F.TooLong, new string('a', ChunkTokenFormat.MaxTokenLength + 1));
        Unauthorized(F.Malformed, "abc");
        Unauthorized(F.Malformed, "a.b");
        Unauthorized(F.Malformed, good + ".x");
        Unauthorized(F.Malformed, ".." + good);
        Unauthorized(F.BadBase64Url, good.Replace('-', '+').Replace('_', '/') + "==");
        Unauthorized(F.BadBase64Url, good.Insert(5, "*"));
        Unauthorized(F.BadJson, "a" + good);
        Unauthorized(F.BadJson, TokenFixture.B64("not json") + "." + TokenFixture.B64(_f.Claims()) + "." + good.Split('.')[2]);
    }

    [Theory]
    [InlineData("""{"exp":1900000000,"jti":"j"}""")]
    [InlineData("""{"h":"HASH","jti":"j"}""")]
    [InlineData("""{"h":"HASH","exp":1900000000}""")]
    [InlineData("""{"h":"HASH","exp":"1900000000","jti":"j"}""")]
    [InlineData("""{"h":"HASH","exp":1.9e9,"jti":"j"}""")]
    [InlineData("""{"h":"HASH","exp":1900000000,"jti":7}""")]
    [InlineData("""[1,2]""")]
    public void Signed_claims_of_the_wrong_shape_are_401(string claims)
    {
        Unauthorized(F.BadJson, _f.Sign("""{"alg":"ES256","kid":"k1"}""", claims.Replace("HASH", TokenFixture.Hash, StringComparison.Ordinal)));
    }

    [Fact]
    public void Signed_claims_with_bad_values_are_401()
    {
        Unauthorized(F.Malformed, _f.Sign("""{"alg":"ES256","kid":"k1"}""", """{"h":"abc","exp":1900000000,"jti":"j"}"""));
        Unauthorized(F.Malformed, _f.Sign("""{"alg":"ES256","kid":"k1"}""", $$"""{"h":"{{TokenFixture.Hash}}","exp":1900000000,"jti":""}"""));
    }

    [Fact]
    public void Genuine_tokens_for_another_chunk_or_box_or_time_are_403_with_their_claims()
    {
        long now = TokenFixture.Now.ToUnixTimeSeconds();
        var cases = new (string Token, string? Box, F Expected)[]
        {
            (_f.Mint(hash: TokenFixture.OtherHash), null, F.WrongChunk),
            (_f.Mint(box: "b2"), "b1", F.WrongBox),
            (_f.Mint(box: "b2"), null, F.WrongBox),
            (_f.Mint(ttl: -3600), null, F.Expired),
            (_f.Mint(nbf: now + 3600), null, F.NotYetValid),
        };
        foreach (var (token, box, expected) in cases)
        {
            var result = Verify(token, box);
            Assert.Equal(expected, result.Failure);
            Assert.Equal(403, result.HttpStatus);
            Assert.True(result.IsForbidden);
            Assert.NotNull(result.Claims);
        }
    }

    [Fact]
    public void Hash_comparison_ignores_case()
    {
        Assert.True(_f.Verifier.Verify(_f.Mint(), TokenFixture.Hash.ToUpperInvariant()).IsValid);
    }
}
