namespace Box.Store.Ingest;

/// <summary>Passes progress on at most once per interval (job.progress events
/// go over MQTT; a byte count per network read would flood it). The final
/// count and a restart from 0 are always reported.</summary>
internal sealed class ProgressThrottle(IProgress<DownloadProgress>? progress, long size, TimeSpan interval, TimeProvider time)
{
    private long _lastReport;
    private bool _reported;

    public void Report(long bytes)
    {
        if (progress is null)
            return;
        long now = time.GetTimestamp();
        if (_reported && time.GetElapsedTime(_lastReport, now) < interval)
            return;
        _reported = true;
        _lastReport = now;
        progress.Report(new DownloadProgress(bytes, size));
    }

    public void ReportNow(long bytes) => progress?.Report(new DownloadProgress(bytes, size));
}
