using Box.Agent.Logging;

namespace Box.Agent.Tests.Logging;

public class AgentLogTests
{
    [Fact]
    public void Writes_one_line_per_event_with_time_and_level()
    {
        var sink = new StringWriter();
        var log = new AgentLog(sink, new FakeTime(new DateTimeOffset(2026, 3, 4, 5, 6, 7, 890, TimeSpan.Zero)));
        log.Warn("disk sda1: unknown filesystem\nsecond line");
        Assert.Equal("2026-03-04T05:06:07.890Z WARN disk sda1: unknown filesystem second line" + Environment.NewLine, sink.ToString());
    }

    [Fact]
    public void Keeps_the_newest_lines_oldest_first()
    {
        var log = new AgentLog(null, new FakeTime(), capacity: 3);
        for (var i = 1; i <= 5; i++) log.Info($"line {i}");
        Assert.Equal(["line 3", "line 4", "line 5"], log.Tail(10).Select(l => l[(l.IndexOf("INFO ", StringComparison.Ordinal) + 5)..]));
        Assert.Single(log.Tail(1), l => l.EndsWith("line 5", StringComparison.Ordinal));
        Assert.Empty(log.Tail(0));
    }

    [Fact]
    public void Drops_lines_below_the_minimum_level()
    {
        var log = new AgentLog(null, minimum: LogLevel.Info);
        log.Debug("noise");
        log.Error("boom");
        Assert.Single(log.Tail(10), l => l.Contains("ERROR boom", StringComparison.Ordinal));
    }
}
