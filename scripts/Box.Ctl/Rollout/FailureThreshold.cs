namespace Box.Ctl.Rollout;

/// <summary>
/// How many failed boxes a rollout tolerates. Exceeded when failures are more
/// than <see cref="MaxFailures"/>, or more than <see cref="MaxFailurePercent"/>
/// percent of the boxes asked so far. Neither given means zero failures.
/// </summary>
public sealed record FailureThreshold(long? MaxFailures, double? MaxFailurePercent)
{
    public static FailureThreshold Create(long? maxFailures, double? maxFailurePercent) =>
        maxFailures is null && maxFailurePercent is null ? new FailureThreshold(0, null) : new FailureThreshold(maxFailures, maxFailurePercent);

    public bool IsExceeded(int failures, int asked) =>
        (MaxFailures is { } max && failures > max)
        || (MaxFailurePercent is { } p && asked > 0 && failures * 100.0 > p * asked);

    public override string ToString() => (MaxFailures, MaxFailurePercent) switch
    {
        ({ } n, { } p) => $"at most {n} failures and at most {p}% of the boxes asked",
        ({ } n, null) => $"at most {n} failure{(n == 1 ? "" : "s")}",
        (null, { } p) => $"at most {p}% of the boxes asked",
        _ => "no failures",
    };
}
