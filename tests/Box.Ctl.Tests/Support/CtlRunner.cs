namespace Box.Ctl.Tests.Support;

public sealed record CtlResult(int ExitCode, string Out, string Err)
{
    public override string ToString() => $"exit {ExitCode}\n--- out\n{Out}\n--- err\n{Err}";
}

/// <summary>Runs boxctl in-process through <see cref="BoxCtl.RunAsync"/>.</summary>
public static class CtlRunner
{
    public static async Task<CtlResult> RunAsync(params string[] args) => await RunAsync(args, stdin: null);

    public static async Task<CtlResult> RunAsync(string[] args, string? stdin, CancellationToken cancellation = default)
    {
        var output = new LineCollector();
        var error = new LineCollector();
        int code = await BoxCtl.RunAsync(args, output, error, cancellation, new StringReader(stdin ?? ""), _ => null);
        return new CtlResult(code, output.ToString(), error.ToString());
    }

    /// <summary>A topic prefix no other test uses, so retained messages do not leak between tests.</summary>
    public static string UniquePrefix() => $"t{Guid.NewGuid():N}"[..13] + "/{id}/";
}
