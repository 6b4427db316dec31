using Box.Hal.Buttons;

namespace Box.Hal.Tests.Buttons;

public class GestureDetectorTests
{
    private static readonly TimeSpan S3 = TimeSpan.FromSeconds(3), S10 = TimeSpan.FromSeconds(10);
    private readonly FakeTime _time = new();
    private readonly List<ButtonEvent> _events = [];
    private readonly GestureDetector _detector;

    public GestureDetectorTests()
    {
        _detector = new GestureDetector("reset", new ButtonOptions
        {
            Time = _time,
            Debounce = TimeSpan.FromMilliseconds(20),
            HoldThresholds = [S3, S10],
        });
        _detector.Changed += (_, e) => _events.Add(e);
    }

    private void Edge(bool pressed) => _detector.OnEdge(pressed, _time.GetTimestamp());

    private static long Ticks(TimeSpan t) => t.Ticks; // FakeTime's timestamps are TimeSpan ticks

    private IEnumerable<ButtonEventKind> Kinds => _events.Select(e => e.Kind);

    [Fact]
    public void Short_press_is_down_up_press_with_its_duration()
    {
        Edge(true);
        Assert.True(_detector.IsPressed);
        _time.Advance(TimeSpan.FromMilliseconds(400));
        Edge(false);

        Assert.Equal([ButtonEventKind.Down, ButtonEventKind.Up, ButtonEventKind.Press], Kinds);
        Assert.Equal(TimeSpan.FromMilliseconds(400), _events[^1].Duration);
        Assert.All(_events, e => Assert.Equal("reset", e.Button));
        Assert.False(_detector.IsPressed);
    }

    [Fact]
    public void Three_second_hold_raises_threshold_while_held_then_hold()
    {
        Edge(true);
        _time.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.DoesNotContain(ButtonEventKind.HoldThreshold, Kinds);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var threshold = Assert.Single(_events, e => e.Kind == ButtonEventKind.HoldThreshold);
        Assert.Equal(S3, threshold.Duration);
        Assert.True(_detector.IsPressed); // raised while still held

        _time.Advance(TimeSpan.FromMilliseconds(500));
        Edge(false);
        Assert.Equal([ButtonEventKind.Down, ButtonEventKind.HoldThreshold, ButtonEventKind.Up, ButtonEventKind.Hold], Kinds);
        Assert.Equal(TimeSpan.FromMilliseconds(3500), _events[^1].Duration);
    }

    [Fact]
    public void Ten_second_hold_crosses_both_thresholds_in_order()
    {
        Edge(true);
        _time.Advance(TimeSpan.FromSeconds(10.2));
        Edge(false);

        Assert.Equal([ButtonEventKind.Down, ButtonEventKind.HoldThreshold, ButtonEventKind.HoldThreshold, ButtonEventKind.Up, ButtonEventKind.Hold], Kinds);
        Assert.Equal([S3, S10], _events.Where(e => e.Kind == ButtonEventKind.HoldThreshold).Select(e => e.Duration));
        Assert.Equal(TimeSpan.FromSeconds(10.2), _events[^1].Duration);
    }

    [Fact]
    public void Contact_bounce_is_filtered()
    {
        Edge(true);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        Edge(false);
        _time.Advance(TimeSpan.FromMilliseconds(3));
        Edge(true);
        _time.Advance(TimeSpan.FromMilliseconds(800));
        Edge(false);
        _time.Advance(TimeSpan.FromMilliseconds(4));
        Edge(true);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        Edge(false);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([ButtonEventKind.Down, ButtonEventKind.Up, ButtonEventKind.Press], Kinds);
        Assert.Equal(TimeSpan.FromMilliseconds(805), _events[^1].Duration);
        Assert.False(_detector.IsPressed);
    }

    [Fact]
    public void Tap_shorter_than_debounce_still_ends_once_the_window_passes()
    {
        Edge(true);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        Edge(false);
        Assert.True(_detector.IsPressed); // still inside the bounce window

        _time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.False(_detector.IsPressed);
        Assert.Equal([ButtonEventKind.Down, ButtonEventKind.Up, ButtonEventKind.Press], Kinds);
        Assert.Equal(TimeSpan.FromMilliseconds(5), _events[^1].Duration);
    }

    [Fact]
    public void Late_reader_uses_event_timestamps_not_arrival_time()
    {
        var down = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(5)); // the reader wakes up 5 s late and sees both edges at once
        _detector.OnEdge(true, down);
        _detector.OnEdge(false, down + Ticks(TimeSpan.FromSeconds(4)));

        Assert.Equal([ButtonEventKind.Down, ButtonEventKind.HoldThreshold, ButtonEventKind.Up, ButtonEventKind.Hold], Kinds);
        Assert.Equal(TimeSpan.FromSeconds(4), _events[^1].Duration);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(4, _events.Count); // no stale threshold timers fire afterwards
    }

    [Fact]
    public void Release_before_threshold_cancels_its_timer()
    {
        Edge(true);
        _time.Advance(TimeSpan.FromSeconds(1));
        Edge(false);
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.DoesNotContain(ButtonEventKind.HoldThreshold, Kinds);
    }

    [Fact]
    public void Press_starting_inside_the_window_of_the_last_release_is_kept_when_delivered_late()
    {
        Edge(true);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        Edge(false);
        var down = _time.GetTimestamp() + Ticks(TimeSpan.FromMilliseconds(5)); // 5 ms after the release: inside its bounce window
        _detector.OnEdge(true, down);
        _detector.OnEdge(false, down + Ticks(TimeSpan.FromSeconds(3.5)));

        Assert.Equal(
            [ButtonEventKind.Down, ButtonEventKind.Up, ButtonEventKind.Press,
             ButtonEventKind.Down, ButtonEventKind.HoldThreshold, ButtonEventKind.Up, ButtonEventKind.Hold], Kinds);
        Assert.Equal(TimeSpan.FromSeconds(3.5), _events[^1].Duration);
    }

    [Theory]
    [InlineData(+5)]
    [InlineData(-5)]
    public void Wall_clock_step_mid_hold_neither_fires_nor_cancels_the_hold(int hours)
    {
        Edge(true);
        _time.Advance(TimeSpan.FromSeconds(1));
        _time.StepWallClock(TimeSpan.FromHours(hours)); // NTP's first sync on a board without an RTC
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(ButtonEventKind.HoldThreshold, Kinds); // 2 s held: no threshold yet

        _time.Advance(TimeSpan.FromSeconds(1));
        var threshold = Assert.Single(_events, e => e.Kind == ButtonEventKind.HoldThreshold);
        Assert.Equal(S3, threshold.Duration);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Edge(false);

        Assert.Equal([ButtonEventKind.Down, ButtonEventKind.HoldThreshold, ButtonEventKind.Up, ButtonEventKind.Hold], Kinds);
        Assert.Equal(TimeSpan.FromMilliseconds(3500), _events[^1].Duration);
    }

    [Fact]
    public void Wall_clock_step_back_during_a_short_press_keeps_it_a_press()
    {
        Edge(true);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        _time.StepWallClock(TimeSpan.FromHours(-3));
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Edge(false);
        _time.Advance(TimeSpan.FromSeconds(15));

        Assert.Equal([ButtonEventKind.Down, ButtonEventKind.Up, ButtonEventKind.Press], Kinds);
        Assert.Equal(TimeSpan.FromMilliseconds(400), _events[^1].Duration);
    }

    [Fact]
    public void Edges_without_a_timestamp_are_timed_on_the_monotonic_clock()
    {
        _detector.OnEdge(true);
        _time.Advance(TimeSpan.FromSeconds(2));
        _time.StepWallClock(TimeSpan.FromHours(2));
        _time.Advance(TimeSpan.FromSeconds(2));
        _detector.OnEdge(false);

        Assert.Equal(TimeSpan.FromSeconds(4), _events[^1].Duration);
        Assert.Equal(ButtonEventKind.Hold, _events[^1].Kind);
    }
}
