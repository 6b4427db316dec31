namespace Box.Agent.Usage;

/// <summary>Tuning of the usage ledger; the defaults are what the box runs with.</summary>
public sealed record UsageLedgerOptions
{
    /// <summary>Token entries per report; more in one interval are split into
    /// several reports with consecutive seqs (a report stays well under the
    /// broker's packet limits: ~160 bytes an entry).</summary>
    public int MaxTokensPerReport { get; init; } = 1000;

    /// <summary>How long a journal write may stay in the page cache before it
    /// is fsynced: what a power cut can lose. Nothing is fsynced while idle.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    public void Validate()
    {
        if (MaxTokensPerReport < 1)
            throw new ArgumentException($"usage: max tokens per report must be at least 1, got {MaxTokensPerReport}");
        if (SyncInterval <= TimeSpan.Zero)
            throw new ArgumentException($"usage: sync interval must be positive, got {SyncInterval}");
    }
}
