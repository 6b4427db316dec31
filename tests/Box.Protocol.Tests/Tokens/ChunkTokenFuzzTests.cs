using System.Text;
using Box.Protocol.Tokens;

namespace Box.Protocol.Tests.Tokens;

/// <summary>Random and mutated tokens: the verifier answers with a result,
/// never an exception, and no mutation grants more than the original.</summary>
public sealed class ChunkTokenFuzzTests : IDisposable
{
    const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ {}\"\0é";
    readonly TokenFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Random_text_is_refused_without_exceptions()
    {
        var random = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            var text = new StringBuilder();
            int length = random.Next(0, i % 100 == 0 ? 6000 : 300);
            for (int j = 0; j < length; j++)
                text.Append(Alphabet[random.Next(Alphabet.Length)]);
            Assert.False(_f.Verifier.Verify(text.ToString(), TokenFixture.Hash).IsValid);
        }
    }

    [Fact]
    public void Mutated_tokens_never_verify_with_other_claims()
    {
        var random = new Random(11);
        string original = _f.Mint(box: "b1");
        var expected = _f.Verifier.Verify(original, TokenFixture.Hash, "b1").Claims;
        Assert.NotNull(expected);
        string[] segments = original.Split('.');
        for (int i = 0; i < 20_000; i++)
        {
            var token = new StringBuilder(original);
            switch (random.Next(5))
            {
                case 0: token[random.Next(token.Length)] = Alphabet[random.Next(Alphabet.Length)]; break;
                case 1: int at = random.Next(token.Length); token.Remove(at, Math.Min(1 + random.Next(3), token.Length - at)); break;
                case 2: token.Insert(random.Next(token.Length), Alphabet[random.Next(Alphabet.Length)]); break;
                case 3: token = new StringBuilder(string.Join('.', segments.OrderBy(_ => random.Next()))); break;
                default:
                    token = new StringBuilder(segments[0] + "." + TokenFixture.B64(Encoding.UTF8.GetString(Convert.FromBase64String(Pad(segments[1]))).Replace('j', 'k')) + "." + segments[2]);
                    break;
            }
            var result = _f.Verifier.Verify(token.ToString(), TokenFixture.Hash, "b1");
            if (result.IsValid)
                Assert.Equal(expected, result.Claims);
        }
    }

    static string Pad(string b64url)
    {
        string s = b64url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - s.Length % 4) % 4);
    }
}
