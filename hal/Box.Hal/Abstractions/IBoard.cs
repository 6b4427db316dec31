namespace Box.Hal;

/// <summary>A board: a profile's LEDs and buttons by role, its storage and system.
/// Roles are what the agent asks for ("status", "network", "disk"; "reset");
/// the profile maps them to the board's own names.</summary>
public interface IBoard : IDisposable
{
    /// <summary>Profile name, e.g. "onecloud", "rpi4", "qemu-virt", "sim".</summary>
    string Name { get; }

    /// <summary>LEDs by role. A role the board lacks is absent; a LED that failed to
    /// open is absent and reported in <see cref="Faults"/>.</summary>
    IReadOnlyDictionary<string, ILed> Leds { get; }

    /// <summary>Buttons by role.</summary>
    IReadOnlyDictionary<string, IButton> Buttons { get; }

    IStorageWatcher Storage { get; }

    ISystem System { get; }

    /// <summary>Problems met while opening the board (missing LED, unreadable input
    /// device): one line each, naming the part. The board still works without them.</summary>
    IReadOnlyList<HalFault> Faults { get; }
}
