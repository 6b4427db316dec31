namespace Box.Store;

/// <summary>
/// How much a stored chunk is worth keeping; eviction removes the lowest first.
///
/// value = (1 + serveCount) / max(ageHours, 1) / (1 + idleHours / 24)
///
/// - serves per hour since it was stored: popular chunks stay;
/// - ages under an hour count as one hour, so a chunk just stored (value 1)
///   outranks one stored a day ago and never served (value 1/24): new
///   content gets a chance to be asked for;
/// - idleHours is the time since it was last served (since stored when never
///   served); each day idle divides the value further, so a chunk that was
///   popular last month gives way to one served today.
/// Ties go to the older chunk, then the hash, so the order is total and stable.
/// Bytes served is not weighed: every serve of a chunk moves its whole size
/// or a range of it, and the count already measures demand.
/// </summary>
public static class EvictionPolicy
{
    public static double Value(in ChunkRow row, DateTimeOffset now)
    {
        double ageHours = Math.Max((now - row.StoredAt).TotalHours, 1);
        var lastUse = row.LastServed ?? row.StoredAt;
        double idleHours = Math.Max((now - lastUse).TotalHours, 0);
        return (1 + row.ServeCount) / ageHours / (1 + idleHours / 24);
    }

    /// <summary>Negative when <paramref name="a"/> should be evicted before <paramref name="b"/>.</summary>
    public static int Compare(in ChunkRow a, in ChunkRow b, DateTimeOffset now)
    {
        int c = Value(a, now).CompareTo(Value(b, now));
        if (c != 0) return c;
        c = a.StoredAt.CompareTo(b.StoredAt);
        return c != 0 ? c : a.Hash.CompareTo(b.Hash);
    }
}
