using System.Device.Gpio;
using Box.Hal.Buttons;
using Box.Hal.Leds;
using Box.Hal.Platform;
using Box.Hal.Sim;
using Box.Hal.Storage;

namespace Box.Hal.Profiles;

/// <summary>Runtime choices that are not part of the board (they come from the agent's configuration).</summary>
public sealed record BoardOptions
{
    /// <summary>Hold thresholds for every button (pairing, factory reset).</summary>
    public IReadOnlyList<TimeSpan> HoldThresholds { get; init; } = [TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10)];
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>Opens a board from its profile: every driver over the filesystem
/// <c>root</c> ("/" on hardware, the sim directory for the simulated board).</summary>
public sealed class Board : IBoard
{
    private readonly List<IDisposable> _owned = [];
    private GpioController? _gpio;

    private Board(BoardProfile profile)
    {
        Name = profile.Name;
        Profile = profile;
    }

    /// <summary>Opens every part the profile names. A part that fails (missing LED,
    /// unreadable input device, no GPIO chip, no uevent socket) is left out and
    /// described in <see cref="Faults"/>, one line each; the rest still works.</summary>
    public static Board Open(BoardProfile profile, string root = "/", BoardOptions? options = null)
    {
        options ??= new BoardOptions();
        var board = new Board(profile);
        var faults = new List<HalFault>();
        var buttonOptions = new ButtonOptions
        {
            Debounce = TimeSpan.FromMilliseconds(profile.DebounceMs),
            HoldThresholds = options.HoldThresholds,
            Time = options.Time,
        };

        var leds = new Dictionary<string, ILed>(StringComparer.Ordinal);
        foreach (var (role, spec) in profile.Leds)
        {
            try
            {
                leds[role] = board.Own(board.OpenLed(role, spec, root, options.Time));
            }
            catch (HalException e)
            {
                faults.Add(new HalFault($"led {role}", e.Message));
            }
        }

        var buttons = new Dictionary<string, IButton>(StringComparer.Ordinal);
        foreach (var (role, spec) in profile.Buttons)
        {
            try
            {
                buttons[role] = board.Own(board.OpenButton(role, spec, root, buttonOptions));
            }
            catch (HalException e)
            {
                faults.Add(new HalFault($"button {role}", e.Message));
            }
        }

        IStorageWatcher storage;
        try
        {
            storage = profile.Storage.Driver == "sim"
                ? new LinuxStorageWatcher(new UeventFileTail(SimBoard.UeventsPath(root)), new SimDiskCatalog(root), new SimMounter(root))
                : LinuxStorageWatcher.ForLinux(root, profile.Storage.MountRoot, profile.Storage.IgnoreDevices);
        }
        catch (Exception e) when (e is HalException or IOException or UnauthorizedAccessException)
        {
            faults.Add(new HalFault("storage", e.Message));
            storage = new NoStorage();
        }
        board.Storage = board.Own(storage);
        board.System = new LinuxSystem(root, options.Time);
        board.Leds = leds;
        board.Buttons = buttons;
        board.Faults = faults;
        return board;
    }

    /// <summary>Loads the profile by name or path and opens it (see <see cref="BoardProfiles.Load"/>).</summary>
    public static Board Open(string profileNameOrPath, string root = "/", BoardOptions? options = null) =>
        Open(BoardProfiles.Load(profileNameOrPath), root, options);

    public string Name { get; }
    public BoardProfile Profile { get; }
    public IReadOnlyDictionary<string, ILed> Leds { get; private set; } = new Dictionary<string, ILed>();
    public IReadOnlyDictionary<string, IButton> Buttons { get; private set; } = new Dictionary<string, IButton>();
    public IStorageWatcher Storage { get; private set; } = null!;
    public ISystem System { get; private set; } = null!;
    public IReadOnlyList<HalFault> Faults { get; private set; } = [];

    private ILed OpenLed(string role, LedSpec spec, string root, TimeProvider time)
    {
        if (spec.Driver == "gpio")
            return new GpioLed(spec.Name ?? role, spec.Pin!.Value, spec.ActiveLow, Gpio(), time);
        // Try the current name, then older kernels' names; report the first name if none exists.
        HalException? first = null;
        foreach (var name in new[] { spec.Name! }.Concat(spec.AltNames ?? []))
        {
            try { return new SysfsLed(root, name); }
            catch (HalException e) { first ??= e; }
        }
        throw first!;
    }

    private IButton OpenButton(string role, ButtonSpec spec, string root, ButtonOptions options)
    {
        if (spec.Driver == "gpio")
            return new GpioButtonDriver(role, spec.Pin!.Value, spec.ActiveLow, options, Gpio());
        string path = spec.DeviceName is { } deviceName
            ? InputDeviceLocator.FindByName(root, deviceName)
            : InputDeviceLocator.UnderRoot(root, spec.Device!);
        return new InputEventButton(role, path, (ushort)spec.KeyCode!.Value, options);
    }

    /// <summary>One controller for all GPIO parts of the board.</summary>
    private GpioController Gpio()
    {
        if (_gpio is null)
        {
            try { _gpio = new GpioController(); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new HalException($"no usable GPIO controller: {e.Message}", e);
            }
        }
        return _gpio;
    }

    private T Own<T>(T part) where T : IDisposable
    {
        _owned.Add(part);
        return part;
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
            _owned[i].Dispose();
        _owned.Clear();
        _gpio?.Dispose();
        _gpio = null;
    }

    /// <summary>Stands in when the board's storage cannot be watched (reported in Faults).</summary>
    private sealed class NoStorage : IStorageWatcher
    {
        public IReadOnlyList<DiskInfo> Disks => [];
        public event EventHandler<DiskEvent>? Changed { add { } remove { } }
        public void Start() { }
        public void Dispose() { }
    }
}
