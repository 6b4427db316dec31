using Box.Hal;
using Box.Hal.Buttons;
using Box.Hal.Leds;
using Box.Hal.Platform;
using Box.Hal.Profiles;
using Box.Hal.Sim;

namespace Box.FleetSim.Fleet;

/// <summary>One box's simulated board, built for thousands per process: the
/// HAL's sysfs LEDs and system over the box's <see cref="SimBoard"/> directory
/// (so <c>box-agent sim leds --sim-dir …</c> shows what the box shows), the reset
/// button read by the fleet's shared <see cref="ButtonPoller"/> instead of a
/// reader thread per box, and no USB storage (no watcher thread, no disks).</summary>
public sealed class FleetBoard : IBoard
{
    private readonly List<IDisposable> _owned = [];

    public FleetBoard(string simDir, BoardProfile profile, ButtonPoller buttons, ButtonOptions buttonOptions)
    {
        Name = profile.Name;
        var leds = new Dictionary<string, ILed>(StringComparer.Ordinal);
        foreach (var (role, spec) in profile.Leds)
            leds[role] = Own(new SysfsLed(simDir, spec.Name ?? role));
        Leds = leds;
        var poll = new Dictionary<string, IButton>(StringComparer.Ordinal);
        foreach (var (role, spec) in profile.Buttons)
            poll[role] = Own(buttons.Add(role, SimBoard.InputDevicePath(simDir), (ushort)(spec.KeyCode ?? SimBoard.ResetKeyCode), buttonOptions));
        Buttons = poll;
        System = new LinuxSystem(simDir);
    }

    public string Name { get; }
    public IReadOnlyDictionary<string, ILed> Leds { get; }
    public IReadOnlyDictionary<string, IButton> Buttons { get; }
    public IStorageWatcher Storage { get; } = new NoDisks();
    public ISystem System { get; }
    public IReadOnlyList<HalFault> Faults { get; } = [];

    private T Own<T>(T part) where T : IDisposable
    {
        _owned.Add(part);
        return part;
    }

    public void Dispose()
    {
        foreach (var part in _owned)
            part.Dispose();
        _owned.Clear();
    }

    /// <summary>Fleet boxes have no USB disk.</summary>
    private sealed class NoDisks : IStorageWatcher
    {
        public IReadOnlyList<DiskInfo> Disks => [];
        public event EventHandler<DiskEvent>? Changed { add { } remove { } }
        public void Start() { }
        public void Dispose() { }
    }
}
