namespace Box.Hal.Buttons;

/// <summary>How button edges become gestures.</summary>
public sealed record ButtonOptions
{
    /// <summary>Edges closer than this to the last accepted edge are contact bounce.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Hold thresholds in ascending order; a release before the first is a Press,
    /// after it a Hold. Each crossing while held raises HoldThreshold.</summary>
    public IReadOnlyList<TimeSpan> HoldThresholds { get; init; } = [TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10)];

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
