using Box.Agent.Supervision;

namespace Box.Agent.Tests.Supervision.Concerns;

public class ConcernContextTests
{
    private sealed class Probe(ConcernContext context) : SupervisorConcern(context)
    {
        public List<string> Fired { get; } = [];
        public ConcernContext Ctx => Context;
        public override void OnTimer(string name) => Fired.Add(name);
    }

    [Fact]
    public void A_timer_fires_once_on_the_loop()
    {
        using var h = new ConcernHarness();
        var probe = new Probe(h.Context("probe"));
        probe.Ctx.After("t", TimeSpan.FromSeconds(5));
        Assert.True(probe.Ctx.IsPending("t"));
        h.Advance(TimeSpan.FromSeconds(4));
        Assert.Empty(probe.Fired);
        h.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["t"], probe.Fired);
        Assert.False(probe.Ctx.IsPending("t"));
    }

    [Fact]
    public void A_replaced_timer_whose_input_was_already_posted_is_dropped()
    {
        using var h = new ConcernHarness();
        var probe = new Probe(h.Context("probe"));
        probe.Ctx.After("t", TimeSpan.FromSeconds(1));
        h.Time.Advance(TimeSpan.FromSeconds(1)); // fired: its input waits in the channel
        probe.Ctx.After("t", TimeSpan.FromSeconds(10)); // restarted before the loop got to it
        h.Drain();
        Assert.Empty(probe.Fired);
        h.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(["t"], probe.Fired);
    }

    [Fact]
    public void A_cancelled_timer_never_reaches_the_concern()
    {
        using var h = new ConcernHarness();
        var probe = new Probe(h.Context("probe"));
        probe.Ctx.After("t", TimeSpan.FromSeconds(1));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        probe.Ctx.Cancel("t");
        h.Drain();
        Assert.Empty(probe.Fired);
    }

    [Fact]
    public void Disposing_the_concern_cancels_its_timers_and_refuses_new_ones()
    {
        using var h = new ConcernHarness();
        var probe = new Probe(h.Context("probe"));
        probe.Ctx.After("a", TimeSpan.FromSeconds(1));
        probe.Ctx.After("b", TimeSpan.FromSeconds(2));
        Assert.Equal(2, h.Time.PendingTimers);
        probe.Dispose();
        Assert.Equal(0, h.Time.PendingTimers);
        probe.Ctx.After("c", TimeSpan.FromSeconds(1));
        Assert.Equal(0, h.Time.PendingTimers);
        h.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(probe.Fired);
    }

    [Fact]
    public void Errors_are_logged_and_reported_with_the_concern_as_source()
    {
        using var h = new ConcernHarness();
        var context = h.Context("disk");
        context.ReportError("sda: bad superblock");
        context.ReportError("cannot start", source: "storage");
        var events = h.Link.EventsOf("error").ToList();
        Assert.Equal(["disk", "storage"], events.Select(e => (string?)e.Fields["source"]));
        Assert.Equal("sda: bad superblock", (string?)events[0].Fields["message"]);
        Assert.Contains("disk: sda: bad superblock", h.LogText.ToString());
    }
}
