using System.Device.I2c;
using Iot.Device.Bmxx80;
using Iot.Device.Bmxx80.PowerMode;

namespace Box.Samples.Bme280Reporter;

/// <summary>A real BME280 on an I2C bus (Iot.Device.Bindings' Bme280 driver), read in
/// forced mode: the chip sleeps between readings, which suits a 3 W box.</summary>
internal sealed class Bme280Sensor : ISensor
{
    private readonly I2cDevice _i2c;
    private readonly Bme280 _bme;

    /// <summary>Throws IOException (no bus, no chip, wrong chip id).</summary>
    public Bme280Sensor(int bus, int address)
    {
        _i2c = I2cDevice.Create(new I2cConnectionSettings(bus, address));
        try
        {
            _bme = new Bme280(_i2c)
            {
                TemperatureSampling = Sampling.LowPower,
                PressureSampling = Sampling.UltraHighResolution,
                HumiditySampling = Sampling.Standard,
            };
        }
        catch
        {
            _i2c.Dispose();
            throw;
        }
        Description = $"BME280 on /dev/i2c-{bus} at 0x{address:x2}";
    }

    public string Description { get; }

    public Reading Read()
    {
        _bme.SetPowerMode(Bmx280PowerMode.Forced);
        Thread.Sleep(_bme.GetMeasurementDuration());
        var r = _bme.Read();
        return new Reading(DateTimeOffset.UtcNow,
            r.Temperature?.DegreesCelsius,
            r.Pressure?.Hectopascals,
            r.Humidity?.Percent);
    }

    public void Dispose()
    {
        _bme.Dispose();
        _i2c.Dispose();
    }
}

/// <summary>Plausible indoor readings that drift slowly, for running without hardware.</summary>
internal sealed class FakeSensor : ISensor
{
    private readonly Random _random = new();
    private double _temperature = 21.5, _pressure = 1013.25, _humidity = 45.0;

    public string Description => "simulated BME280 (--fake)";

    public Reading Read()
    {
        _temperature = Math.Clamp(_temperature + (_random.NextDouble() - 0.5) * 0.2, 15, 30);
        _pressure = Math.Clamp(_pressure + (_random.NextDouble() - 0.5) * 0.3, 980, 1040);
        _humidity = Math.Clamp(_humidity + (_random.NextDouble() - 0.5) * 0.8, 20, 80);
        return new Reading(DateTimeOffset.UtcNow, Math.Round(_temperature, 2), Math.Round(_pressure, 2), Math.Round(_humidity, 1));
    }

    public void Dispose() { }
}
