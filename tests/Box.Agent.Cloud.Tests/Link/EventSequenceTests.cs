using Box.Agent.Cloud.Link;
using Box.Agent.Cloud.Tests.Fixtures;

namespace Box.Agent.Cloud.Tests.Link;

public sealed class EventSequenceTests : IDisposable
{
    readonly TempDir _dir = new("seq");

    [Fact]
    public void NeverReusesANumberAcrossRestarts()
    {
        var path = _dir["event-seq"];
        var seen = new List<long>();
        for (var restart = 0; restart < 5; restart++)
        {
            var sequence = new EventSequence(path, blockSize: 10);
            for (var i = 0; i < 7; i++)
                seen.Add(sequence.Next());
        }
        for (var i = 1; i < seen.Count; i++)
            Assert.True(seen[i] > seen[i - 1], $"seq {seen[i]} after {seen[i - 1]}");
    }

    [Fact]
    public void DamagedFileStillGivesNumbersAboveEverythingBefore()
    {
        var path = _dir["event-seq"];
        var sequence = new EventSequence(path);
        var last = sequence.Next();
        File.WriteAllText(path, "garbage");
        Assert.True(new EventSequence(path).Next() > last);
    }

    public void Dispose() => _dir.Dispose();
}
