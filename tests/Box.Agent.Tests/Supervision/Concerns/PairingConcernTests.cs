using Box.Agent.Cloud.Commands;
using Box.Protocol.Commands;
using Box.Agent.Pairing;
using Box.Agent.Supervision.Concerns;

namespace Box.Agent.Tests.Supervision.Concerns;

public class PairingConcernTests
{
    private static PairingConcern Start(ConcernHarness h)
    {
        var pairing = new PairingConcern(h.Context("pairing"), h.Config(), new OwnerStore(h.DataDir));
        pairing.Start();
        return pairing;
    }

    [Fact]
    public void Opening_announces_the_code_hash_and_the_window_expires_on_its_timer()
    {
        using var h = new ConcernHarness();
        var pairing = Start(h);
        pairing.Open();
        var view = ConcernHarness.View(pairing);
        Assert.True(view.PairingWindow);
        Assert.Matches("^[0-9]{6}$", view.Pairing!.Code);
        Assert.NotNull(h.Link.Pairings.Single()!["codeSha256"]);
        Assert.Single(h.Link.EventsOf("pairing.opened"));

        h.Advance(TimeSpan.FromSeconds(h.Config().Effective.Pairing.WindowSeconds));

        Assert.False(pairing.IsOpen);
        Assert.Null(h.Link.Pairings.Last());
        Assert.Equal("expired", (string?)h.Link.EventsOf("pairing.closed").Single().Fields["reason"]);
    }

    [Fact]
    public void The_right_code_binds_and_persists_the_owner()
    {
        using var h = new ConcernHarness();
        var pairing = Start(h);
        pairing.Open();
        pairing.Confirm(ConcernHarness.View(pairing).Pairing!.Code, "alice");
        Assert.Equal("alice", pairing.Owner);
        Assert.Equal("paired", (string?)h.Link.EventsOf("pairing.closed").Single().Fields["reason"]);
        Assert.Equal(0, h.Time.PendingTimers); // the expiry timer went with the window
        Assert.Equal("alice", Start(h).Owner); // a restart reads it back from /data
    }

    [Fact]
    public void A_wrong_code_or_no_window_is_unauthorized()
    {
        using var h = new ConcernHarness();
        var pairing = Start(h);
        Assert.Equal(ErrorCodes.Unauthorized, Assert.Throws<CommandException>(() => pairing.Confirm("123456", "eve")).Code);
        pairing.Open();
        var code = ConcernHarness.View(pairing).Pairing!.Code;
        var wrong = code == "000000" ? "111111" : "000000";
        var e = Assert.Throws<CommandException>(() => pairing.Confirm(wrong, "eve"));
        Assert.Equal(ErrorCodes.Unauthorized, e.Code);
        Assert.Contains("tries left", e.Message);
        Assert.Null(pairing.Owner);
    }

    [Fact]
    public void Forget_closes_the_window_and_removes_the_owner_file()
    {
        using var h = new ConcernHarness();
        var pairing = Start(h);
        pairing.Open();
        pairing.Confirm(ConcernHarness.View(pairing).Pairing!.Code, "alice");
        pairing.Open();
        pairing.Forget();
        Assert.Null(pairing.Owner);
        Assert.False(pairing.IsOpen);
        Assert.Equal("factory-reset", (string?)h.Link.EventsOf("pairing.closed").Last().Fields["reason"]);
        Assert.False(File.Exists(Path.Combine(h.DataDir, "owner.json")));
    }

    [Fact]
    public void A_damaged_owner_file_is_reported_and_the_box_counts_as_unpaired()
    {
        using var h = new ConcernHarness();
        File.WriteAllText(Path.Combine(h.DataDir, "owner.json"), "{not json");
        var pairing = Start(h);
        Assert.Null(pairing.Owner);
        Assert.Equal("pairing", (string?)h.Link.EventsOf("error").Single().Fields["source"]);
    }
}
