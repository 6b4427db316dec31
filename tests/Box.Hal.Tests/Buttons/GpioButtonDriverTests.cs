using System.Device.Gpio;
using Box.Hal.Buttons;
using Box.Hal.Tests.Support;

namespace Box.Hal.Tests.Buttons;

/// <summary>GpioButtonDriver over an in-memory GPIO chip whose edge callbacks the test
/// fires, on a fake clock (edges are stamped when the callback runs).</summary>
public class GpioButtonDriverTests
{
    private const int Pin = 6;
    private readonly FakeGpioDriver _driver = new();
    private readonly FakeTime _time = new();
    private readonly GpioController _gpio;
    private readonly List<ButtonEvent> _events = [];

    public GpioButtonDriverTests() => _gpio = new GpioController(_driver);

    private GpioButtonDriver Start(bool activeLow = true)
    {
        var button = new GpioButtonDriver("reset", Pin, activeLow, new ButtonOptions
        {
            Time = _time,
            Debounce = TimeSpan.FromMilliseconds(20),
            HoldThresholds = [TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10)],
        }, _gpio);
        button.Changed += (_, e) => _events.Add(e);
        button.Start();
        return button;
    }

    private IEnumerable<ButtonEventKind> Kinds => _events.Select(e => e.Kind);

    [Fact]
    public void Active_low_line_pulled_up_falling_edge_is_a_press()
    {
        using var button = Start(activeLow: true);
        Assert.Equal(PinMode.InputPullUp, _driver.ModeOf(Pin));
        _driver.Drive(Pin, PinValue.Low);
        Assert.True(button.IsPressed);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        _driver.Drive(Pin, PinValue.High);

        Assert.Equal([ButtonEventKind.Down, ButtonEventKind.Up, ButtonEventKind.Press], Kinds);
        Assert.Equal(TimeSpan.FromMilliseconds(300), _events[^1].Duration);
    }

    [Fact]
    public void Active_high_line_pulled_down_rising_edge_is_a_press()
    {
        using var button = Start(activeLow: false);
        Assert.Equal(PinMode.InputPullDown, _driver.ModeOf(Pin));
        _driver.Drive(Pin, PinValue.High);
        Assert.True(button.IsPressed);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        _driver.Drive(Pin, PinValue.Low);
        Assert.False(button.IsPressed);
    }

    [Theory]
    [InlineData(+6)]
    [InlineData(-6)]
    public void Hold_is_timed_monotonically_across_a_wall_clock_step(int hours)
    {
        using var button = Start();
        _driver.Drive(Pin, PinValue.Low);
        _time.Advance(TimeSpan.FromSeconds(1));
        _time.StepWallClock(TimeSpan.FromHours(hours));
        _time.Advance(TimeSpan.FromSeconds(2.5));
        _driver.Drive(Pin, PinValue.High);

        Assert.Equal([ButtonEventKind.Down, ButtonEventKind.HoldThreshold, ButtonEventKind.Up, ButtonEventKind.Hold], Kinds);
        Assert.Equal(TimeSpan.FromSeconds(3.5), _events[^1].Duration);

        // Edges after a step back are not swallowed as "bounce" (GpioButton's wall-clock debounce would).
        _time.Advance(TimeSpan.FromSeconds(1));
        _driver.Drive(Pin, PinValue.Low);
        Assert.True(button.IsPressed);
    }

    [Fact]
    public void Contact_bounce_is_filtered()
    {
        using var button = Start();
        _driver.Drive(Pin, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        _driver.Drive(Pin, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        _driver.Drive(Pin, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        _driver.Drive(Pin, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal([ButtonEventKind.Down, ButtonEventKind.Up, ButtonEventKind.Press], Kinds);
    }

    [Fact]
    public void Dispose_stops_edges_and_closes_the_pin()
    {
        var button = Start();
        Assert.True(_driver.HasCallback(Pin));
        button.Dispose();
        Assert.False(_driver.HasCallback(Pin));
        Assert.DoesNotContain(Pin, _driver.OpenPins);
        _driver.Drive(Pin, PinValue.Low);
        Assert.Empty(_events);
    }

    [Fact]
    public void Pin_that_cannot_be_opened_is_a_HalException_naming_button_and_pin()
    {
        _driver.FailOpen = new IOException("Device or resource busy");
        var e = Assert.Throws<HalException>(() => Start());
        Assert.Equal("button 'reset': cannot open GPIO pin 6: Device or resource busy", e.Message);
    }
}
