using System.Security.Cryptography;
using System.Text;
using Box.Agent.Pairing;

namespace Box.Agent.Tests.Pairing;

public class PairingWindowTests
{
    private readonly FakeTime _time = new();

    private PairingWindow OpenWindow(int seconds = 600)
    {
        var window = new PairingWindow(_time);
        window.Open(TimeSpan.FromSeconds(seconds));
        return window;
    }

    private static string WrongCode(string code) => code == "000000" ? "000001" : "000000";

    [Fact]
    public void Opens_with_a_six_digit_code_whose_sha256_is_announced()
    {
        var window = OpenWindow();
        Assert.True(window.IsOpen);
        Assert.Matches("^[0-9]{6}$", window.Code);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(window.Code!))), window.CodeSha256);
        Assert.Equal(_time.GetUtcNow().AddSeconds(600), window.ExpiresAt);
    }

    [Fact]
    public void Codes_differ_between_windows()
    {
        // 20 windows with the same code would mean a broken generator (chance 1e-100).
        var codes = Enumerable.Range(0, 20).Select(_ => OpenWindow().Code).ToHashSet();
        Assert.True(codes.Count > 1);
    }

    [Fact]
    public void Right_code_pairs_once_and_closes_the_window()
    {
        var window = OpenWindow();
        var code = window.Code!;
        Assert.Equal(PairingResult.Paired, window.Confirm(code));
        Assert.False(window.IsOpen);
        Assert.Null(window.Code);
        Assert.Null(window.CodeSha256);
        Assert.Equal(PairingResult.NotOpen, window.Confirm(code));
    }

    [Fact]
    public void Window_expires_after_its_time()
    {
        var window = OpenWindow(seconds: 600);
        var code = window.Code!;
        _time.Advance(TimeSpan.FromSeconds(599));
        Assert.True(window.IsOpen);
        Assert.False(window.ExpireIfDue());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(window.IsOpen);
        Assert.Equal(PairingResult.NotOpen, window.Confirm(code));
        Assert.True(window.ExpireIfDue());
        Assert.Null(window.Code);
    }

    [Fact]
    public void Five_wrong_codes_lock_the_window()
    {
        var window = OpenWindow();
        var code = window.Code!;
        for (var i = 1; i < PairingWindow.MaxWrongTries; i++)
        {
            Assert.Equal(PairingResult.WrongCode, window.Confirm(WrongCode(code)));
            Assert.Equal(PairingWindow.MaxWrongTries - i, window.TriesLeft);
        }
        Assert.Equal(PairingResult.LockedOut, window.Confirm(WrongCode(code)));
        Assert.False(window.IsOpen);
        // Even the right code is refused now: a new window (a new press) is needed.
        Assert.Equal(PairingResult.NotOpen, window.Confirm(code));
    }

    [Fact]
    public void Right_code_still_works_after_four_wrong_ones()
    {
        var window = OpenWindow();
        var code = window.Code!;
        for (var i = 0; i < PairingWindow.MaxWrongTries - 1; i++)
            window.Confirm(WrongCode(code));
        Assert.Equal(PairingResult.Paired, window.Confirm(code));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("12345678901234567890")]
    [InlineData("abcdef")]
    public void Inputs_of_any_length_go_through_the_hashed_compare_and_count_as_tries(string attempt)
    {
        // The compare is over SHA-256 digests (fixed length), so a short or long
        // input takes the same path and cannot end the compare early.
        var window = OpenWindow();
        Assert.Equal(PairingResult.WrongCode, window.Confirm(attempt));
        Assert.Equal(PairingWindow.MaxWrongTries - 1, window.TriesLeft);
    }

    [Fact]
    public void Reopening_gives_a_fresh_code_and_resets_the_tries()
    {
        var window = OpenWindow();
        var first = window.CodeSha256;
        window.Confirm(WrongCode(window.Code!));
        do window.Open(TimeSpan.FromSeconds(600)); while (window.CodeSha256 == first);
        Assert.Equal(PairingWindow.MaxWrongTries, window.TriesLeft);
    }

    [Fact]
    public void Owner_binding_survives_a_restart_and_damage_reads_as_unpaired()
    {
        using var dir = new TempDir();
        var store = new OwnerStore(dir.Path);
        Assert.Null(store.Load(out var none));
        Assert.Null(none);
        store.Save("alice@example.com", _time.GetUtcNow());
        Assert.Equal("alice@example.com", new OwnerStore(dir.Path).Load(out _));
        File.WriteAllText(store.Path, "{\"owner\": 42}");
        Assert.Null(store.Load(out var problem));
        Assert.Contains("no \"owner\" string", problem);
        store.Clear();
        Assert.False(File.Exists(store.Path));
    }
}
