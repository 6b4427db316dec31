using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Box.Protocol.Tokens;

namespace Box.Protocol.Tests.Tokens;

/// <summary>A scheduler key pair ("k1" and the default), a second key ("k2"),
/// a verifier over both on a hand-driven clock, and a forger for raw tokens.</summary>
public sealed class TokenFixture : IDisposable
{
    public const string Hash = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";
    public const string OtherHash = "0000000000000000000000000000000000000000000000000000000000000000";
    public static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    public ECDsa Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public ECDsa Key2 { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public FakeTime Clock { get; } = new(Now);
    public ChunkTokenKeys Keys { get; }
    public ChunkTokenVerifier Verifier { get; }

    public TokenFixture()
    {
        Keys = ChunkTokenKeys.FromPem(PublicPem(Key), new Dictionary<string, string> { ["k1"] = PublicPem(Key), ["k2"] = PublicPem(Key2) });
        Verifier = new ChunkTokenVerifier(Keys, Clock);
    }

    public static string PublicPem(ECDsa key) => key.ExportSubjectPublicKeyInfoPem();

    public string Mint(string? kid = "k1", long ttl = 600, string? box = null, long? nbf = null, string hash = Hash) =>
        new ChunkTokenMinter(Key, kid).Mint(new ChunkTokenClaims { H = hash, Exp = Now.ToUnixTimeSeconds() + ttl, Jti = "j-1", Box = box, Nbf = nbf });

    public static string B64(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    public string Claims(long ttl = 600) => $$"""{"h":"{{Hash}}","exp":{{Now.ToUnixTimeSeconds() + ttl}},"jti":"j-1"}""";

    /// <summary>header.payload signed ES256 with <paramref name="key"/> (default <see cref="Key"/>), whatever the header says.</summary>
    public string Sign(string headerJson, string payloadJson, ECDsa? key = null, DSASignatureFormat format = DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
    {
        string input = B64(headerJson) + "." + B64(payloadJson);
        byte[] signature = (key ?? Key).SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, format);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose()
    {
        Keys.Dispose();
        Key.Dispose();
        Key2.Dispose();
    }
}
