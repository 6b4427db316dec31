using System.Globalization;
using Box.Ctl.Cli;

namespace Box.Ctl.Rollout;

/// <summary>
/// Which boxes go in which wave. Either fixed-size waves (<c>--wave-size N</c>)
/// or cumulative steps (<c>--waves 1,5,25,100%</c>): each step is how many
/// boxes have been asked in total after that wave, as a count or a
/// percentage of the fleet (rounded up); the last step must cover the whole
/// fleet. Steps that add no box are dropped. Order of the id list is kept.
/// </summary>
public sealed class RolloutPlan
{
    public const string DefaultSteps = "1,10%,50%,100%";

    RolloutPlan(IReadOnlyList<IReadOnlyList<string>> waves) => Waves = waves;

    public IReadOnlyList<IReadOnlyList<string>> Waves { get; }
    public int BoxCount => Waves.Sum(w => w.Count);

    public static RolloutPlan BySize(IReadOnlyList<string> ids, int waveSize)
    {
        RequireIds(ids);
        if (waveSize < 1)
            throw new UsageException($"--wave-size must be at least 1, not {waveSize}");
        return new RolloutPlan(ids.Chunk(waveSize).Select(w => (IReadOnlyList<string>)w).ToList());
    }

    public static RolloutPlan BySteps(IReadOnlyList<string> ids, string steps)
    {
        RequireIds(ids);
        var waves = new List<IReadOnlyList<string>>();
        int done = 0;
        foreach (string raw in steps.Split(','))
        {
            string step = raw.Trim();
            int target = ResolveStep(step, ids.Count);
            if (target < done)
                throw new UsageException($"--waves steps are cumulative and must not decrease: '{step}' is {target} boxes after {done}");
            if (target > done)
                waves.Add(ids.Skip(done).Take(target - done).ToList());
            done = target;
        }
        if (done < ids.Count)
            throw new UsageException($"--waves covers {done} of {ids.Count} boxes; end it with 100%");
        return new RolloutPlan(waves);
    }

    static int ResolveStep(string step, int fleet)
    {
        if (step.EndsWith('%'))
        {
            if (!double.TryParse(step[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double percent) || !(percent > 0 && percent <= 100))
                throw new UsageException($"--waves: '{step}' is not a percentage in (0,100]");
            return (int)Math.Min(fleet, Math.Ceiling(percent * fleet / 100 - 1e-9));
        }
        if (!int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1)
            throw new UsageException($"--waves: '{step}' is not a box count (>= 1) or a percentage like 25%");
        return Math.Min(fleet, count);
    }

    /// <summary>Ids from <c>--ids a,b,c</c> or a file (one per line, blank
    /// lines and <c>#</c> comments ignored). Duplicates are an error: a box
    /// must not be updated twice in one rollout.</summary>
    public static List<string> ParseIds(IEnumerable<string> entries, string source)
    {
        var ids = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string entry in entries)
        {
            string id = entry.Trim();
            if (id.Length == 0 || id.StartsWith('#'))
                continue;
            CliOptions.ValidBoxId(id);
            if (!seen.Add(id))
                throw new UsageException($"{source}: box '{id}' is listed twice");
            ids.Add(id);
        }
        RequireIds(ids);
        return ids;
    }

    static void RequireIds(IReadOnlyList<string> ids)
    {
        if (ids.Count == 0)
            throw new UsageException("the rollout has no boxes");
    }
}
