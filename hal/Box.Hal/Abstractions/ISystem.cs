namespace Box.Hal;

/// <summary>The operating system side of the board.</summary>
public interface ISystem
{
    /// <summary>Time since the kernel booted.</summary>
    TimeSpan Uptime { get; }

    /// <summary>Board serial number (device tree, /proc/cpuinfo, or machine-id); never empty.</summary>
    string SerialNumber { get; }

    /// <summary>Thermal zones in °C keyed by zone type; empty when the board has none.</summary>
    IReadOnlyDictionary<string, double> ReadTemperatures();

    /// <summary>Asks the OS to reboot. On the simulated board this is recorded, not performed.</summary>
    void Reboot();
}
