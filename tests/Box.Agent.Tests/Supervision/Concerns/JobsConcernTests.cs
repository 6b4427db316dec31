using System.Text.Json.Nodes;
using Box.Agent.Cloud.Commands;
using Box.Protocol.Commands;
using Box.Agent.Supervision.Concerns;
using Box.Hal;
using Moq;

namespace Box.Agent.Tests.Supervision.Concerns;

public class JobsConcernTests
{
    [Fact]
    public void Identify_blinks_until_its_timer_ends_it()
    {
        using var h = new ConcernHarness();
        var jobs = new JobsConcern(h.Context("jobs"), Mock.Of<ISystem>(), TimeSpan.FromSeconds(2));
        jobs.StartIdentify(TimeSpan.FromSeconds(10));
        Assert.True(ConcernHarness.View(jobs).Identify);
        h.Advance(TimeSpan.FromSeconds(10));
        Assert.False(ConcernHarness.View(jobs).Identify);
    }

    [Fact]
    public void Reboot_answers_after_the_delay_then_reboots_after_the_grace()
    {
        using var h = new ConcernHarness();
        var system = new Mock<ISystem>();
        var job = new Mock<ICommandJob>();
        job.SetupGet(j => j.Id).Returns("r1");
        var jobs = new JobsConcern(h.Context("jobs"), system.Object, TimeSpan.FromSeconds(2));

        jobs.ScheduleReboot(TimeSpan.FromSeconds(30), job.Object);
        Assert.Equal(ErrorCodes.Busy, Assert.Throws<CommandException>(() => jobs.ScheduleReboot(TimeSpan.Zero, job.Object)).Code);
        h.Advance(TimeSpan.FromSeconds(29));
        job.Verify(j => j.Done(It.IsAny<JsonObject?>()), Times.Never);

        h.Advance(TimeSpan.FromSeconds(1));
        job.Verify(j => j.Done(It.Is<JsonObject?>(r => r != null && (bool)r["rebooting"]! == true)), Times.Once);
        system.Verify(s => s.Reboot(), Times.Never); // the reply gets its grace to leave

        h.Advance(TimeSpan.FromSeconds(2));
        system.Verify(s => s.Reboot(), Times.Once);
        Assert.False(jobs.RebootScheduled);
    }

    [Fact]
    public void A_failing_reboot_is_reported_as_a_system_error()
    {
        using var h = new ConcernHarness();
        var system = new Mock<ISystem>();
        system.Setup(s => s.Reboot()).Throws(new HalException("reboot: Operation not permitted (errno 1)"));
        var jobs = new JobsConcern(h.Context("jobs"), system.Object, TimeSpan.Zero);
        jobs.ScheduleReboot(TimeSpan.Zero, Mock.Of<ICommandJob>());
        h.Advance(TimeSpan.Zero);
        h.Advance(TimeSpan.Zero);
        var error = h.Link.EventsOf("error").Single();
        Assert.Equal("system", (string?)error.Fields["source"]);
        Assert.Contains("not permitted", (string?)error.Fields["message"]);
    }
}
