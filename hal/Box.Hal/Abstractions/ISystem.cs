namespace Box.Hal;

/// <summary>The operating system side of the board.</summary>
public interface ISystem
{
    /// <summary>Time since the kernel booted.</summary>
    TimeSpan Uptime { get; }

    /// <summary>Hardware serial number (device tree, then /proc/cpuinfo); "unknown" when the
    /// board has none (the agent then derives its id from a MAC address or machine-id).</summary>
    string SerialNumber { get; }

    /// <summary>Thermal zones in °C keyed by zone type; empty when the board has none.</summary>
    IReadOnlyDictionary<string, double> ReadTemperatures();

    /// <summary>Asks the OS to reboot. On the simulated board this is recorded, not performed.</summary>
    void Reboot();
}
