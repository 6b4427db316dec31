using System.Text;

namespace Box.Ctl.Tests.Support;

/// <summary>A thread-safe TextWriter whose text tests read while boxctl runs.</summary>
public sealed class LineCollector : TextWriter
{
    readonly StringBuilder text = new();
    readonly object gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (gate)
            text.Append(value);
    }

    public override void Write(string? value)
    {
        lock (gate)
            text.Append(value);
    }

    public override string ToString()
    {
        lock (gate)
            return text.ToString();
    }

    /// <summary>Waits (polling, generous limit) until the text contains <paramref name="fragment"/>.</summary>
    public async Task WaitForAsync(string fragment, TimeSpan? limit = null)
    {
        var until = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(20));
        while (!ToString().Contains(fragment, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"'{fragment}' never appeared; text so far:\n{this}");
            await Task.Delay(20);
        }
    }
}
