using System.Text;

namespace Box.Ctl.Tests.Support;

/// <summary>A thread-safe TextWriter whose text tests read while boxctl runs.</summary>
public sealed class LineCollector : TextWriter
{
    readonly StringBuilder _text = new();
    readonly object _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
            _text.Append(value);
    }

    public override void Write(string? value)
    {
        lock (_gate)
            _text.Append(value);
    }

    public override string ToString()
    {
        lock (_gate)
            return _text.ToString();
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
