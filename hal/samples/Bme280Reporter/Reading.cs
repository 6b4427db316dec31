namespace Box.Samples.Bme280Reporter;

/// <summary>One measurement; a null field is one the sensor could not give (e.g. skipped sampling).</summary>
internal readonly record struct Reading(DateTimeOffset At, double? TemperatureC, double? PressureHpa, double? HumidityPercent);

internal interface ISensor : IDisposable
{
    string Description { get; }
    Reading Read();
}
