using Box.Hal.Buttons;
using Box.Hal.Tests.Support;

namespace Box.Hal.Tests.Buttons;

public class InputEventButtonTests
{
    private static void Append(string path, params InputEvent[] events)
    {
        using var f = new FileStream(path, FileMode.Append);
        foreach (var ev in events)
        {
            var b = new byte[InputEvent.NativeSize];
            ev.Encode(b, Environment.Is64BitProcess);
            f.Write(b);
        }
    }

    [Fact]
    public void Reads_key_edges_of_its_code_and_ignores_others_and_autorepeat()
    {
        using var dir = new TempDir();
        string dev = dir.Write("dev/input/event3", "");
        var t0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()); // timeval has µs precision
        Append(dev, new InputEvent(t0.AddMinutes(-5), InputEvent.EV_KEY, KeyCodes.KEY_POWER, 1)); // before start: not replayed

        var events = new Recorder<ButtonEvent>();
        using var button = new InputEventButton("reset", dev, KeyCodes.KEY_POWER, new ButtonOptions { Debounce = TimeSpan.Zero });
        button.Changed += (_, e) => events.Add(e);
        button.Start();

        Append(dev,
            new InputEvent(t0, InputEvent.EV_KEY, KeyCodes.KEY_POWER, 1),
            new InputEvent(t0, InputEvent.EV_SYN, 0, 0),
            new InputEvent(t0.AddMilliseconds(10), InputEvent.EV_KEY, 30 /* KEY_A */, 1),
            new InputEvent(t0.AddMilliseconds(250), InputEvent.EV_KEY, KeyCodes.KEY_POWER, 2),
            new InputEvent(t0.AddMilliseconds(600), InputEvent.EV_KEY, KeyCodes.KEY_POWER, 0),
            new InputEvent(t0.AddMilliseconds(600), InputEvent.EV_SYN, 0, 0));

        var press = events.WaitFor(e => e.Kind == ButtonEventKind.Press, "Press");
        Assert.Equal(TimeSpan.FromMilliseconds(600), press.Duration);
        Assert.Equal([ButtonEventKind.Down, ButtonEventKind.Up, ButtonEventKind.Press], events.Items.Select(e => e.Kind));
        Assert.Equal(t0, events.Items[0].At);
    }

    [Theory]
    [InlineData(+5)]
    [InlineData(-5)]
    public void Wall_clock_step_between_press_and_release_does_not_change_the_hold(int hours)
    {
        // Kernel stamps are CLOCK_REALTIME: on a board without an RTC the first NTP sync
        // steps them by hours. The release is stamped on the new wall clock.
        using var dir = new TempDir();
        string dev = dir.Write("dev/input/event0", "");
        var time = new FakeTime(DateTimeOffset.FromUnixTimeSeconds(1_767_225_600));
        var events = new Recorder<ButtonEvent>();
        using var button = new InputEventButton("reset", dev, KeyCodes.KEY_RESTART, new ButtonOptions { Debounce = TimeSpan.Zero, Time = time });
        button.Changed += (_, e) => events.Add(e);
        button.Start();

        Append(dev, new InputEvent(time.GetUtcNow(), InputEvent.EV_KEY, KeyCodes.KEY_RESTART, 1));
        events.WaitFor(e => e.Kind == ButtonEventKind.Down, "Down");
        time.Advance(TimeSpan.FromSeconds(1));
        time.StepWallClock(TimeSpan.FromHours(hours));
        time.Advance(TimeSpan.FromSeconds(2.5));
        Append(dev, new InputEvent(time.GetUtcNow(), InputEvent.EV_KEY, KeyCodes.KEY_RESTART, 0));

        var hold = events.WaitFor(e => e.Kind is ButtonEventKind.Hold or ButtonEventKind.Press, "Hold");
        Assert.Equal(ButtonEventKind.Hold, hold.Kind);
        Assert.Equal(TimeSpan.FromSeconds(3.5), hold.Duration);
        Assert.Single(events.Items, e => e.Kind == ButtonEventKind.HoldThreshold);
    }

    [Fact]
    public void A_record_split_across_writes_is_reassembled()
    {
        using var dir = new TempDir();
        string dev = dir.Write("dev/input/event0", "");
        var events = new Recorder<ButtonEvent>();
        using var button = new InputEventButton("reset", dev, KeyCodes.KEY_RESTART, new ButtonOptions { Debounce = TimeSpan.Zero });
        button.Changed += (_, e) => events.Add(e);
        button.Start();

        var b = new byte[InputEvent.NativeSize];
        new InputEvent(DateTimeOffset.UtcNow, InputEvent.EV_KEY, KeyCodes.KEY_RESTART, 1).Encode(b, Environment.Is64BitProcess);
        using (var f = new FileStream(dev, FileMode.Append)) f.Write(b, 0, 10);
        Thread.Sleep(100); // let the reader see the first half on its own
        using (var f = new FileStream(dev, FileMode.Append)) f.Write(b, 10, b.Length - 10);

        events.WaitFor(e => e.Kind == ButtonEventKind.Down, "Down");
        Assert.True(button.IsPressed);
    }

    [Fact]
    public void Missing_device_is_a_HalException_naming_button_and_path()
    {
        using var dir = new TempDir();
        string dev = dir["dev/input/event9"];
        var e = Assert.Throws<HalException>(() => new InputEventButton("reset", dev, KeyCodes.KEY_POWER));
        Assert.Contains("reset", e.Message);
        Assert.Contains(dev, e.Message);
    }

    [Fact]
    public void Locates_a_device_by_its_input_name()
    {
        using var dir = new TempDir();
        dir.Write("sys/class/input/event0/device/name", "meson-ir\n");
        dir.Write("sys/class/input/event1/device/name", "gpio-keys\n");
        Assert.Equal(dir["dev/input/event1"], InputDeviceLocator.FindByName(dir.Path, "gpio-keys"));
        var e = Assert.Throws<HalException>(() => InputDeviceLocator.FindByName(dir.Path, "button"));
        Assert.Contains("'button' not found", e.Message);
        Assert.Contains("meson-ir", e.Message);
    }

    [Fact]
    public void Reads_a_character_stream_by_polling_and_faults_when_it_goes_away()
    {
        // A FIFO is not seekable, like /dev/input/eventN: the driver polls it instead of tailing.
        using var dir = new TempDir();
        string fifo = dir["event0"];
        Tools.Run("mkfifo", fifo);
        var writerTask = Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Write)); // opens once the reader does
        var events = new Recorder<ButtonEvent>();
        var faults = new Recorder<HalFault>();
        using var button = new InputEventButton("reset", fifo, KeyCodes.BTN_0, new ButtonOptions { Debounce = TimeSpan.Zero });
        button.Changed += (_, e) => events.Add(e);
        button.Faulted += (_, f) => faults.Add(f);
        button.Start();

        using (var writer = writerTask.Result)
        {
            var t0 = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            foreach (var (value, ms) in new[] { (1, 0), (0, 3200) })
            {
                var b = new byte[InputEvent.NativeSize];
                new InputEvent(t0.AddMilliseconds(ms), InputEvent.EV_KEY, KeyCodes.BTN_0, value).Encode(b, Environment.Is64BitProcess);
                writer.Write(b);
            }
            writer.Flush();
            var hold = events.WaitFor(e => e.Kind == ButtonEventKind.Hold, "Hold");
            Assert.Equal(TimeSpan.FromMilliseconds(3200), hold.Duration);
        }

        var fault = faults.WaitFor(_ => true, "Faulted");
        Assert.Equal("button reset", fault.Part);
        Assert.Contains(fifo, fault.Message);
    }
}
