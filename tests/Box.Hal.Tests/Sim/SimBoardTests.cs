using Box.Hal.Leds;
using Box.Hal.Profiles;
using Box.Hal.Sim;

namespace Box.Hal.Tests.Sim;

public class SimBoardTests
{
    [Fact]
    public void Create_is_idempotent_and_keeps_state()
    {
        using var dir = new TempDir();
        SimBoard.Create(dir.Path);
        string id = File.ReadAllText(dir["etc/machine-id"]);
        File.WriteAllText(dir["sys/class/leds/box:green:status/trigger"], "heartbeat");
        SimBoard.Create(dir.Path);
        Assert.Equal(id, File.ReadAllText(dir["etc/machine-id"]));
        Assert.Equal(["box:amber:disk off", "box:blue:network off", "box:green:status heartbeat"],
            SimBoard.ReadLeds(dir.Path).Select(l => l.ToString()));
    }

    [Fact]
    public void Leds_read_back_every_pattern_by_kebab_name()
    {
        using var dir = new TempDir();
        SimBoard.Create(dir.Path);
        using var board = Board.Open("sim", dir.Path);
        foreach (var pattern in Enum.GetValues<LedPattern>())
        {
            board.Leds["disk"].SetPattern(pattern);
            var reading = Assert.Single(SimBoard.ReadLeds(dir.Path), l => l.Name == "box:amber:disk");
            Assert.Equal(pattern, reading.Pattern);
            Assert.Equal(pattern.ToName(), reading.Description);
        }
    }

    [Fact]
    public void Press_is_seen_by_the_boards_button_with_its_duration()
    {
        using var dir = new TempDir();
        SimBoard.Create(dir.Path);
        SimBoard.Press(dir.Path, TimeSpan.FromMilliseconds(10)); // an old press: must not be replayed
        using var board = Board.Open("sim", dir.Path, new BoardOptions { HoldThresholds = [TimeSpan.FromSeconds(3)] });
        var events = new Recorder<ButtonEvent>();
        board.Buttons["reset"].Changed += (_, e) => events.Add(e);
        board.Buttons["reset"].Start();

        SimBoard.Press(dir.Path, TimeSpan.FromMilliseconds(300));
        var press = events.WaitFor(e => e.Kind == ButtonEventKind.Press, "Press");
        Assert.InRange(press.Duration, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(1500));

        // A 3.5 s hold, written with its timestamps at once: the gesture follows the timestamps.
        var down = DateTimeOffset.UtcNow;
        SimBoard.WriteKey(dir.Path, pressed: true, down);
        SimBoard.WriteKey(dir.Path, pressed: false, down.AddMilliseconds(3500));
        var hold = events.WaitFor(e => e.Kind == ButtonEventKind.Hold, "Hold");
        Assert.Equal(TimeSpan.FromMilliseconds(3500), hold.Duration);
        Assert.Equal(
            [ButtonEventKind.Down, ButtonEventKind.Up, ButtonEventKind.Press,
             ButtonEventKind.Down, ButtonEventKind.HoldThreshold, ButtonEventKind.Up, ButtonEventKind.Hold],
            events.Items.Select(e => e.Kind));
    }

    [Fact]
    public void Plug_and_unplug_are_seen_by_the_boards_storage_watcher()
    {
        using var dir = new TempDir();
        using var usb = new TempDir();
        SimBoard.Create(dir.Path);
        using var board = Board.Open("sim", dir.Path);
        var events = new Recorder<DiskEvent>();
        board.Storage.Changed += (_, e) => events.Add(e);
        board.Storage.Start();

        var plugged = SimBoard.Plug(dir.Path, usb.Path);
        var mounted = events.WaitFor(e => e.Kind == DiskEventKind.Mounted, "Mounted");
        Assert.Equal(SimBoard.UuidFor(usb.Path), mounted.Disk.FsUuid);
        Assert.Equal(plugged.FsUuid, mounted.Disk.FsUuid);
        Assert.Equal(usb.Path, mounted.Disk.MountPath);
        Assert.Equal("simfs", mounted.Disk.FsType);
        Assert.True(mounted.Disk.SizeBytes > 0);
        Assert.Single(board.Storage.Disks);

        SimBoard.Unplug(dir.Path, usb.Path);
        var removed = events.WaitFor(e => e.Kind == DiskEventKind.Removed, "Removed");
        Assert.Equal(plugged.FsUuid, removed.Disk.FsUuid);
        Assert.Equal([DiskEventKind.Added, DiskEventKind.Mounted, DiskEventKind.Unmounted, DiskEventKind.Removed], events.Items.Select(e => e.Kind));
        Assert.Empty(board.Storage.Disks);
    }

    [Fact]
    public void Disk_plugged_before_start_is_found_by_the_initial_scan()
    {
        using var dir = new TempDir();
        using var usb = new TempDir();
        SimBoard.Create(dir.Path);
        SimBoard.Plug(dir.Path, usb.Path);
        using var board = Board.Open("sim", dir.Path);
        var events = new Recorder<DiskEvent>();
        board.Storage.Changed += (_, e) => events.Add(e);
        board.Storage.Start();
        events.WaitFor(e => e.Kind == DiskEventKind.Mounted, "Mounted");
        Assert.Equal(SimBoard.UuidFor(usb.Path + "/"), board.Storage.Disks.Single().FsUuid); // same disk whatever the spelling
    }

    [Fact]
    public void Bad_plug_requests_are_clear_errors()
    {
        using var dir = new TempDir();
        using var usb = new TempDir();
        Assert.Contains("is not a simulated board", Assert.Throws<HalException>(() => SimBoard.Plug(dir.Path, usb.Path)).Message);
        SimBoard.Create(dir.Path);
        Assert.Contains("is not a directory", Assert.Throws<HalException>(() => SimBoard.Plug(dir.Path, usb["nope"])).Message);
        Assert.Contains("is not plugged in", Assert.Throws<HalException>(() => SimBoard.Unplug(dir.Path, usb.Path)).Message);
        SimBoard.Plug(dir.Path, usb.Path);
        Assert.Contains("already plugged in", Assert.Throws<HalException>(() => SimBoard.Plug(dir.Path, usb.Path)).Message);
    }
}
