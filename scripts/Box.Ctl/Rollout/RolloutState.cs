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
    readonly List<BoxOutcome> _outcomes = [];
    readonly Dictionary<string, BoxOutcome> _current = new(StringComparer.Ordinal);
    readonly List<WaveSummary> _summaries = [];
    IReadOnlyList<string>? _open;
    int _next;

    public RolloutPlan Plan => plan;
    public FailureThreshold Threshold => threshold;
    public IReadOnlyList<BoxOutcome> Outcomes => _outcomes;
    public IReadOnlyList<WaveSummary> Summaries => _summaries;
    public int Failures => _outcomes.Count(o => o.IsFailure);
    public int Asked => _outcomes.Count(o => o.WasAsked);
    public bool ThresholdExceeded { get; private set; }
    /// <summary>Stopped with waves left unsent.</summary>
    public bool Halted => ThresholdExceeded && _next < plan.Waves.Count;
    public bool IsFinished => ThresholdExceeded || _next >= plan.Waves.Count;
    /// <summary>Boxes that were never reached because the rollout halted.</summary>
    public IEnumerable<string> NotReached => plan.Waves.Skip(_next).SelectMany(w => w);

    /// <summary>The next wave's boxes; call <see cref="FinishWave"/> before the next one.</summary>
    public IReadOnlyList<string> StartWave()
    {
        if (_open is not null)
            throw new InvalidOperationException("the current wave is not finished");
        if (IsFinished)
            throw new InvalidOperationException(ThresholdExceeded ? "the rollout halted" : "every wave has run");
        _open = plan.Waves[_next++];
        _current.Clear();
        return _open;
    }

    public void Record(BoxOutcome outcome)
    {
        if (_open is null || !_open.Contains(outcome.BoxId))
            throw new InvalidOperationException($"box '{outcome.BoxId}' is not in the current wave");
        if (!_current.TryAdd(outcome.BoxId, outcome))
            throw new InvalidOperationException($"box '{outcome.BoxId}' already has an outcome");
    }

    /// <summary>Closes the wave (every box must have an outcome) and checks the threshold.</summary>
    public WaveSummary FinishWave()
    {
        if (_open is null)
            throw new InvalidOperationException("no wave is running");
        var missing = _open.Where(id => !_current.ContainsKey(id)).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"no outcome for {string.Join(", ", missing)}");
        var waveOutcomes = _open.Select(id => _current[id]).ToList();
        _outcomes.AddRange(waveOutcomes);
        _open = null;
        ThresholdExceeded = threshold.IsExceeded(Failures, Asked);
        var summary = new WaveSummary(_next, plan.Waves.Count, waveOutcomes, Failures, Asked, ThresholdExceeded);
        _summaries.Add(summary);
        return summary;
    }
}
