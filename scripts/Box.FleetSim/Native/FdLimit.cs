using System.Runtime.InteropServices;
using Box.Platform;
using static Box.Platform.Libc;

namespace Box.FleetSim.Native;

/// <summary>The process's open-file limit (RLIMIT_NOFILE). Thousands of agents
/// need several descriptors each (socket, queue segment, ack mark, reply
/// store), far above the usual soft limit of 1024.</summary>
public static class FdLimit
{
    public static (ulong Soft, ulong Hard) Current
    {
        get
        {
            if (GetRLimit(RLIMIT_NOFILE, out var limit) != 0)
                throw new InvalidOperationException($"getrlimit(RLIMIT_NOFILE) failed: errno {Marshal.GetLastPInvokeError()}");
            return (limit.Current, limit.Maximum);
        }
    }

    /// <summary>Raises the soft limit to at least <paramref name="needed"/>: up to
    /// the hard limit, and past it when the process may (root). Returns the soft
    /// limit now in force; null with <paramref name="problem"/> saying what to do
    /// when <paramref name="needed"/> cannot be reached.</summary>
    public static ulong? Raise(ulong needed, out string? problem)
    {
        problem = null;
        var (soft, hard) = Current;
        if (soft >= needed)
            return soft;
        var target = new RLimit { Current = Math.Max(needed, Math.Min(hard, needed * 2)), Maximum = hard };
        if (target.Current > hard)
        {
            // Raising the hard limit needs CAP_SYS_RESOURCE; try, the kernel decides.
            target.Maximum = target.Current;
        }
        if (SetRLimit(RLIMIT_NOFILE, in target) == 0)
            return target.Current;
        target = new RLimit { Current = hard, Maximum = hard };
        if (SetRLimit(RLIMIT_NOFILE, in target) == 0)
            soft = hard;
        problem = $"open-file limit too low: need {needed} descriptors, the hard limit is {hard} " +
                  $"(raise it: `ulimit -Hn {needed}` as root, or LimitNOFILE= in a systemd unit; soft limit now {soft})";
        return null;
    }
}
