namespace Box.Ctl.Rollout;

/// <summary>What one wave did.</summary>
public sealed record WaveSummary(int Number, int Of, IReadOnlyList<BoxOutcome> Outcomes, int TotalFailures, int TotalAsked, bool ThresholdExceeded)
{
    public int Count(BoxResult result) => Outcomes.Count(o => o.Result == result);
    public int Failures => Outcomes.Count(o => o.IsFailure);
}

/// <summary>
/// The rollout's bookkeeping, free of I/O: hands out waves in order, takes
/// each box's outcome, and after every wave decides whether the failure
/// threshold is exceeded. Once exceeded no further wave is handed out.
/// </summary>
public sealed class RolloutState(RolloutPlan plan, FailureThreshold threshold)
{
    readonly List<BoxOutcome> outcomes = [];
    readonly Dictionary<string, BoxOutcome> current = new(StringComparer.Ordinal);
    readonly List<WaveSummary> summaries = [];
    IReadOnlyList<string>? open;
    int next;

    public RolloutPlan Plan => plan;
    public FailureThreshold Threshold => threshold;
    public IReadOnlyList<BoxOutcome> Outcomes => outcomes;
    public IReadOnlyList<WaveSummary> Summaries => summaries;
    public int Failures => outcomes.Count(o => o.IsFailure);
    public int Asked => outcomes.Count(o => o.WasAsked);
    public bool ThresholdExceeded { get; private set; }
    /// <summary>Stopped with waves left unsent.</summary>
    public bool Halted => ThresholdExceeded && next < plan.Waves.Count;
    public bool IsFinished => ThresholdExceeded || next >= plan.Waves.Count;
    /// <summary>Boxes that were never reached because the rollout halted.</summary>
    public IEnumerable<string> NotReached => plan.Waves.Skip(next).SelectMany(w => w);

    /// <summary>The next wave's boxes; call <see cref="FinishWave"/> before the next one.</summary>
    public IReadOnlyList<string> StartWave()
    {
        if (open is not null)
            throw new InvalidOperationException("the current wave is not finished");
        if (IsFinished)
            throw new InvalidOperationException(ThresholdExceeded ? "the rollout halted" : "every wave has run");
        open = plan.Waves[next++];
        current.Clear();
        return open;
    }

    public void Record(BoxOutcome outcome)
    {
        if (open is null || !open.Contains(outcome.BoxId))
            throw new InvalidOperationException($"box '{outcome.BoxId}' is not in the current wave");
        if (!current.TryAdd(outcome.BoxId, outcome))
            throw new InvalidOperationException($"box '{outcome.BoxId}' already has an outcome");
    }

    /// <summary>Closes the wave (every box must have an outcome) and checks the threshold.</summary>
    public WaveSummary FinishWave()
    {
        if (open is null)
            throw new InvalidOperationException("no wave is running");
        var missing = open.Where(id => !current.ContainsKey(id)).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"no outcome for {string.Join(", ", missing)}");
        var waveOutcomes = open.Select(id => current[id]).ToList();
        outcomes.AddRange(waveOutcomes);
        open = null;
        ThresholdExceeded = threshold.IsExceeded(Failures, Asked);
        var summary = new WaveSummary(next, plan.Waves.Count, waveOutcomes, Failures, Asked, ThresholdExceeded);
        summaries.Add(summary);
        return summary;
    }
}
