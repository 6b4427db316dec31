using Box.Agent.Supervision;

namespace Box.Agent.Tests.Supervision.Concerns;

public class ConcernContextTests
{
    private sealed class Probe(ConcernContext context) : SupervisorConcern(context)
    {
        public List<string> Fired { get; } = [];
        public ConcernContext Ctx => Context;
        public override void OnTimer(string name) => Fired.Add(name);
        public List<(string Name, WorkOutcome Outcome)> Work { get; } = [];
        public override void OnWork(string name, WorkOutcome outcome) => Work.Add((name, outcome));
    }

    [Fact]
    public async Task Work_runs_off_the_loop_and_its_result_or_exception_comes_back_to_the_concern()
    {
        using var h = new ConcernHarness();
        var probe = new Probe(h.Context("probe"));
        using var gate = new ManualResetEventSlim();
        // Blocks synchronously: Run must return at once all the same.
        probe.Ctx.Run("ok", _ => { gate.Wait(TimeSpan.FromSeconds(30)); return Task.FromResult<object?>(42); });
        probe.Ctx.Run("boom", _ => throw new IOException("disk gone"));
        Assert.Equal(1, await Task.Run(async () => { await Eventually.TrueAsync(() => probe.Ctx.Running == 1, "the failing work to end"); return probe.Ctx.Running; }));
        gate.Set();
        await h.DrainUntilAsync(() => probe.Work.Count == 2);
        var ok = probe.Work.Single(w => w.Name == "ok").Outcome;
        var boom = probe.Work.Single(w => w.Name == "boom").Outcome;
        Assert.Equal((true, (object?)42), (ok.Succeeded, ok.Result));
        Assert.Equal("disk gone", Assert.IsType<IOException>(boom.Error).Message);
        Assert.Equal(0, probe.Ctx.Running);
    }

    [Fact]
    public async Task Disposing_the_context_cancels_running_work_and_drops_its_outcome()
    {
        using var h = new ConcernHarness();
        var probe = new Probe(h.Context("probe"));
        var started = new TaskCompletionSource();
        var sawCancel = new TaskCompletionSource();
        probe.Ctx.Run("slow", async token =>
        {
            started.SetResult();
            try { await Task.Delay(Timeout.Infinite, token); }
            catch (OperationCanceledException) { sawCancel.SetResult(); throw; }
            return null;
        });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        probe.Dispose();
        await sawCancel.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => probe.Ctx.Running == 0, "the cancelled work to end");
        h.Drain();
        Assert.Empty(probe.Work);
        probe.Ctx.Notify("late", 1);
        h.Drain();
        Assert.Empty(probe.Work);
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
