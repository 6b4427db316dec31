using System.Runtime.InteropServices;
using System.Text.Json;
using Box.Samples.Bme280Reporter;

// Reads a BME280 and prints one JSON line per reading:
//   {"ts":1767225600,"temperatureC":21.52,"pressureHpa":1013.31,"humidityPercent":45.2}
// Exit codes as box-agent: 0 clean stop (SIGINT/SIGTERM or --count reached), 2 bad arguments, 1 sensor failure.

if (Options.Parse(args, Console.Out, Console.Error, out int exitCode) is not { } options)
    return exitCode; // --help (0) or a bad argument (2)

using var stop = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });

ISensor sensor;
try
{
    sensor = options.Fake ? new FakeSensor() : new Bme280Sensor(options.Bus, options.Address);
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException or ArgumentException)
{
    Console.Error.WriteLine($"bme280-reporter: no BME280 on I2C bus {options.Bus} at 0x{options.Address:x2}: {e.Message} (use --fake to run without one)");
    return 1;
}

using (sensor)
{
    Console.Error.WriteLine($"bme280-reporter: reading {sensor.Description} every {options.Interval.TotalMilliseconds} ms");
    using var stdout = Console.OpenStandardOutput();
    for (int n = 0; options.Count is not int count || n < count; n++)
    {
        if (n > 0 && stop.Token.WaitHandle.WaitOne(options.Interval))
            break;
        Reading reading;
        try
        {
            reading = sensor.Read();
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"bme280-reporter: read failed: {e.Message}");
            return 1;
        }
        WriteLine(stdout, reading);
    }
}
return 0;

// Utf8JsonWriter: no reflection, so the binary stays trim- and AOT-clean.
static void WriteLine(Stream output, Reading r)
{
    using (var json = new Utf8JsonWriter(output))
    {
        json.WriteStartObject();
        json.WriteNumber("ts", r.At.ToUnixTimeSeconds());
        WriteOptional(json, "temperatureC", r.TemperatureC);
        WriteOptional(json, "pressureHpa", r.PressureHpa);
        WriteOptional(json, "humidityPercent", r.HumidityPercent);
        json.WriteEndObject();
    }
    output.WriteByte((byte)'\n');
    output.Flush();
}

static void WriteOptional(Utf8JsonWriter json, string name, double? value)
{
    if (value is double v && double.IsFinite(v))
        json.WriteNumber(name, Math.Round(v, 2));
    else
        json.WriteNull(name);
}
