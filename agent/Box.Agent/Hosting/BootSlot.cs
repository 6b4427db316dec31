namespace Box.Agent.Hosting;

/// <summary>The root slot this system booted from, as the boot script passes it
/// on the kernel command line (<c>box.slot=a</c> or <c>box.slot=b</c>).</summary>
public static class BootSlot
{
    public static string? Detect(string root)
    {
        try
        {
            var cmdline = File.ReadAllText(Path.Combine(root, "proc/cmdline"));
            foreach (var word in cmdline.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                if (word.StartsWith("box.slot=", StringComparison.Ordinal) && word.Length > "box.slot=".Length)
                    return word["box.slot=".Length..];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }
}
