using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Box.Ctl.Tokens;

namespace Box.Ctl.Tests.Tokens;

public sealed class ChunkTokenTests : IDisposable
{
    const string Hash = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";
    const long Now = 1_800_000_000;
    readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    readonly ECDsa publicKey = ECDsa.Create();

    public ChunkTokenTests() => publicKey.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);

    public void Dispose()
    {
        key.Dispose();
        publicKey.Dispose();
    }

    [Fact]
    public void Minted_token_verifies_with_the_public_key_and_carries_its_claims()
    {
        string token = ChunkToken.Mint(key, Hash, Now + 60, "jti-1");

        var check = ChunkToken.Verify(publicKey, token, Now, expectedHash: Hash);

        Assert.True(check.IsValid, check.Reason);
        Assert.Equal(new ChunkTokenPayload(Hash, Now + 60, "jti-1"), check.Payload);
    }

    [Fact]
    public void Payload_segment_is_exactly_the_documented_json_and_signature_is_p1363_over_its_ascii()
    {
        string token = ChunkToken.Mint(key, Hash.ToUpperInvariant(), Now + 60, "abc");
        string[] parts = token.Split('.');

        Assert.Equal($"{{\"h\":\"{Hash}\",\"exp\":{Now + 60},\"jti\":\"abc\"}}", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])));
        Assert.DoesNotContain('=', token);
        byte[] signature = Base64Url.DecodeFromChars(parts[1]);
        Assert.Equal(64, signature.Length);
        // An independent check of the signing input: the ASCII of segment one.
        Assert.True(publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0]), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void Tampered_payload_fails_the_signature()
    {
        string token = ChunkToken.Mint(key, Hash, Now + 60, "jti-1");
        string[] parts = token.Split('.');
        string forged = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{\"h\":\"{Hash}\",\"exp\":{Now + 999999},\"jti\":\"jti-1\"}}"));

        var check = ChunkToken.Verify(publicKey, forged + "." + parts[1], Now);

        Assert.Equal(ChunkTokenError.BadSignature, check.Error);
        Assert.Null(check.Payload);
        Assert.Contains("signature", check.Reason);
    }

    [Fact]
    public void Tampered_signature_fails()
    {
        string token = ChunkToken.Mint(key, Hash, Now + 60, "jti-1");
        string[] parts = token.Split('.');
        byte[] signature = Base64Url.DecodeFromChars(parts[1]);
        signature[10] ^= 0x01;

        var check = ChunkToken.Verify(publicKey, parts[0] + "." + Base64Url.EncodeToString(signature), Now);

        Assert.Equal(ChunkTokenError.BadSignature, check.Error);
    }

    [Fact]
    public void Token_of_another_scheduler_key_fails()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string token = ChunkToken.Mint(other, Hash, Now + 60, "jti-1");

        Assert.Equal(ChunkTokenError.BadSignature, ChunkToken.Verify(publicKey, token, Now).Error);
    }

    [Fact]
    public void Expired_token_fails_at_and_after_exp()
    {
        string token = ChunkToken.Mint(key, Hash, Now, "jti-1");

        Assert.True(ChunkToken.Verify(publicKey, token, Now - 1).IsValid);
        var check = ChunkToken.Verify(publicKey, token, Now);
        Assert.Equal(ChunkTokenError.Expired, check.Error);
        Assert.Contains("expired", check.Reason);
    }

    [Fact]
    public void Token_for_another_chunk_fails_with_wrong_hash()
    {
        string token = ChunkToken.Mint(key, Hash, Now + 60, "jti-1");
        string other = new('a', 64);

        var check = ChunkToken.Verify(publicKey, token, Now, expectedHash: other);

        Assert.Equal(ChunkTokenError.WrongHash, check.Error);
        Assert.Contains(other, check.Reason);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("abc", "two base64url segments")]
    [InlineData("a.b.c", "two base64url segments")]
    [InlineData(".abc", "two base64url segments")]
    [InlineData("ab+c.def", "base64url")]
    [InlineData("abc=.def", "base64url")]
    [InlineData("eyJ9.AAAA", "signature is 3 bytes")]
    [InlineData("A.A", "not valid base64url")]
    public void Malformed_tokens_fail_with_a_reason(string token, string reasonFragment)
    {
        var check = ChunkToken.Verify(publicKey, token, Now);

        Assert.Equal(ChunkTokenError.Malformed, check.Error);
        Assert.Contains(reasonFragment, check.Reason);
    }

    [Fact]
    public void Validly_signed_payload_with_wrong_field_types_is_malformed()
    {
        string segment = Base64Url.EncodeToString("{\"h\":\"x\",\"exp\":\"soon\",\"jti\":\"j\"}"u8);
        string signature = Base64Url.EncodeToString(key.SignData(Encoding.ASCII.GetBytes(segment), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

        var check = ChunkToken.Verify(publicKey, segment + "." + signature, Now);

        Assert.Equal(ChunkTokenError.Malformed, check.Error);
        Assert.Contains("'h'", check.Reason);
    }

    [Fact]
    public void Overlong_token_is_refused_before_decoding()
    {
        Assert.Equal(ChunkTokenError.Malformed, ChunkToken.Verify(publicKey, new string('A', ChunkToken.MaxTokenLength + 1), Now).Error);
    }

    [Fact]
    public void Mint_refuses_a_bad_hash_and_a_non_p256_key()
    {
        Assert.Throws<ArgumentException>(() => ChunkToken.Mint(key, "xyz", Now, "j"));
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Throws<ArgumentException>(() => ChunkToken.Mint(p384, Hash, Now, "j"));
    }
}
