using Box.Agent.Indication;
using Box.Agent.Supervision;
using Box.Agent.Supervision.Concerns;
using Box.Hal;
using Moq;

namespace Box.Agent.Tests.Supervision.Concerns;

public class LedConcernTests
{
    private static readonly LedPatterns Blinking = new(LedPattern.BlinkFast, LedPattern.On, LedPattern.Off, StatusCondition.Identify);

    [Fact]
    public async Task A_led_failing_on_its_blink_timer_becomes_an_error_event_and_a_shown_problem()
    {
        using var h = new ConcernHarness();
        var led = new Mock<ILed>();
        var leds = new LedConcern(h.Context("led"), new Dictionary<string, ILed> { [LedRoles.Status] = led.Object }, h.Inbox);
        leds.Start();
        leds.Show(Blinking);

        led.Raise(l => l.Faulted += null, led.Object, new HalFault("status", "gpio 17: write failed: EIO"));
        var posted = Assert.Single(h.Drain());
        Assert.True(await leds.HandleAsync(posted));

        var error = h.Link.EventsOf("error").Single();
        Assert.Equal("led", (string?)error.Fields["source"]);
        Assert.Contains("EIO", (string?)error.Fields["message"]);
        Assert.Equal(["led:status: gpio 17: write failed: EIO"], ConcernHarness.View(leds).Errors);
    }

    [Fact]
    public void A_refused_pattern_is_reported_once_retried_and_cleared_when_it_takes()
    {
        using var h = new ConcernHarness();
        var led = new Mock<ILed>();
        led.Setup(l => l.SetPattern(It.IsAny<LedPattern>())).Throws(new HalException("status: brightness: permission denied"));
        var leds = new LedConcern(h.Context("led"), new Dictionary<string, ILed> { [LedRoles.Status] = led.Object }, h.Inbox);

        leds.Show(Blinking);
        leds.Show(Blinking);
        Assert.Single(h.Link.EventsOf("error"));
        led.Verify(l => l.SetPattern(LedPattern.BlinkFast), Times.Exactly(2)); // retried

        led.Reset();
        leds.Show(Blinking);
        Assert.Empty(ConcernHarness.View(leds).Errors);
    }

    [Fact]
    public void An_unchanged_pattern_is_not_written_again()
    {
        using var h = new ConcernHarness();
        var led = new Mock<ILed>();
        var leds = new LedConcern(h.Context("led"), new Dictionary<string, ILed> { [LedRoles.Status] = led.Object }, h.Inbox);
        leds.Show(Blinking);
        leds.Show(Blinking);
        led.Verify(l => l.SetPattern(LedPattern.BlinkFast), Times.Once);
    }
}
