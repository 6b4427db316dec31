using Box.Protocol.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Box.Protocol.Tests.Tokens;

/// <summary>"Any ordinary JWT library mints valid tokens" (docs/contract.md), and
/// reads ours: Microsoft.IdentityModel.JsonWebTokens both ways.</summary>
public sealed class ChunkTokenInteropTests : IDisposable
{
    readonly TokenFixture _f = new();

    public void Dispose() => _f.Dispose();

    ECDsaSecurityKey SecurityKey(bool withPrivate)
    {
        var key = System.Security.Cryptography.ECDsa.Create();
        if (withPrivate)
            key.ImportPkcs8PrivateKey(_f.Key.ExportPkcs8PrivateKey(), out _);
        else
            key.ImportSubjectPublicKeyInfo(_f.Key.ExportSubjectPublicKeyInfo(), out _);
        return new ECDsaSecurityKey(key) { KeyId = "k1" };
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_token_from_the_library_verifies(bool withKid)
    {
        var signingKey = SecurityKey(withPrivate: true);
        if (!withKid)
            signingKey.KeyId = null;
        string token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["h"] = TokenFixture.Hash, ["jti"] = "lib-1", ["box"] = "b1" },
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.EcdsaSha256),
        });

        var result = new ChunkTokenVerifier(_f.Keys, TimeProvider.System).Verify(token, TokenFixture.Hash, "b1");

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal("lib-1", result.Claims!.Jti);
    }

    [Fact]
    public async Task Our_token_verifies_in_the_library()
    {
        string token = new ChunkTokenMinter(_f.Key, "k1").Mint(TokenFixture.Hash, DateTimeOffset.UtcNow.AddMinutes(5), "ours-1", box: "b1");

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = SecurityKey(withPrivate: false),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ValidateIssuer = false,
            ValidateAudience = false,
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal("k1", jwt.Kid);
        Assert.Equal(TokenFixture.Hash, jwt.GetClaim("h").Value);
        Assert.Equal("b1", jwt.GetClaim("box").Value);
        Assert.Equal("ours-1", jwt.Id);
    }
}
