using System.Device.Gpio;
using Box.Hal.Leds;
using Box.Hal.Tests.Support;

namespace Box.Hal.Tests.Leds;

/// <summary>GpioLed over an in-memory GPIO chip, blinking on a fake clock (timer steps
/// run inside <see cref="FakeTime.Advance"/>, so no waiting).</summary>
public class GpioLedTests
{
    private const int Pin = 17;
    private readonly FakeGpioDriver _driver = new();
    private readonly FakeTime _time = new();
    private readonly GpioController _gpio;

    public GpioLedTests() => _gpio = new GpioController(_driver);

    private GpioLed Open(bool activeLow = false) => new("status", Pin, activeLow, _gpio, _time);

    private PinValue? Line => _driver.ValueOf(Pin);

    [Theory]
    [InlineData(false, 1, 0)]
    [InlineData(true, 0, 1)] // active low: lit = line low
    public void On_and_off_write_the_lit_and_dark_levels(bool activeLow, int lit, int dark)
    {
        using var led = Open(activeLow);
        Assert.Equal(PinMode.Output, _driver.ModeOf(Pin));
        Assert.Equal((PinValue)dark, Line); // opened dark

        led.SetPattern(LedPattern.On);
        Assert.Equal((PinValue)lit, Line);
        Assert.Equal(LedPattern.On, led.Pattern);
        led.SetPattern(LedPattern.Off);
        Assert.Equal((PinValue)dark, Line);
        Assert.Equal(0, _time.PendingTimers); // steady patterns need no timer
    }

    [Fact]
    public void Blink_slow_toggles_every_500_ms()
    {
        using var led = Open();
        led.SetPattern(LedPattern.BlinkSlow);
        Assert.Equal(PinValue.High, Line);
        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(PinValue.High, Line);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(PinValue.Low, Line);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(PinValue.High, Line);
    }

    [Fact]
    public void Heartbeat_plays_two_short_flashes_per_second()
    {
        using var led = Open();
        int before = _driver.Writes.Count;
        led.SetPattern(LedPattern.Heartbeat);
        _time.Advance(TimeSpan.FromMilliseconds(1000));
        var played = _driver.Writes.Skip(before).Select(w => (int)w.Value).ToArray();
        Assert.Equal([1, 0, 1, 0, 1], played); // 70 on, 180 off, 70 on, 680 off, then the next period starts
    }

    [Fact]
    public void Zero_brightness_keeps_it_dark_whatever_the_pattern()
    {
        using var led = Open();
        led.Brightness = 0;
        led.SetPattern(LedPattern.On);
        Assert.Equal(PinValue.Low, Line);
        Assert.Equal(LedPattern.On, led.Pattern);
        led.Brightness = 0.5;
        Assert.Equal(PinValue.High, Line);
    }

    [Fact]
    public void Dispose_darkens_stops_the_timer_and_closes_the_pin()
    {
        var led = Open();
        led.SetPattern(LedPattern.BlinkFast);
        Assert.Equal(1, _time.PendingTimers);
        led.Dispose();
        Assert.Equal(0, _time.PendingTimers);
        Assert.Equal((Pin, PinValue.Low), _driver.Writes[^1]);
        Assert.DoesNotContain(Pin, _driver.OpenPins);
        Assert.False(_gpio.IsPinOpen(Pin));
    }

    [Fact]
    public void Write_failing_on_the_blink_timer_is_reported_once_per_failure_run()
    {
        using var led = Open();
        var faults = new List<HalFault>();
        led.Faulted += (_, f) => faults.Add(f);
        led.SetPattern(LedPattern.BlinkFast);

        _driver.FailWrite = (_, _) => new IOException("Input/output error");
        _time.Advance(TimeSpan.FromMilliseconds(1000)); // ten failing steps
        var fault = Assert.Single(faults);
        Assert.Equal("led status", fault.Part);
        Assert.Contains("LED 'status'", fault.Message);
        Assert.Contains($"GPIO pin {Pin}", fault.Message);
        Assert.Contains("Input/output error", fault.Message);
        Assert.Equal(1, _time.PendingTimers); // it keeps trying

        _driver.FailWrite = null;             // the line recovers...
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Single(faults);
        _driver.FailWrite = (_, _) => new IOException("gone again"); // ...and fails anew: reported again
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(2, faults.Count);
        Assert.Contains("gone again", faults[1].Message);
    }

    [Fact]
    public void Write_failing_in_SetPattern_is_thrown_naming_the_LED()
    {
        using var led = Open();
        _driver.FailWrite = (_, _) => new IOException("Input/output error");
        var e = Assert.Throws<HalException>(() => led.SetPattern(LedPattern.On));
        Assert.StartsWith("LED 'status': cannot write GPIO pin 17", e.Message);
    }

    [Fact]
    public void Pin_that_cannot_be_opened_is_a_HalException_naming_LED_and_pin()
    {
        _driver.FailOpen = new UnauthorizedAccessException("Permission denied");
        var e = Assert.Throws<HalException>(() => Open());
        Assert.Equal("LED 'status': cannot open GPIO pin 17: Permission denied", e.Message);
    }
}
