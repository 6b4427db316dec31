using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Box.Ctl.Cli;

/// <summary>System.CommandLine's help, listing what the parser takes: a
/// subcommand's own option shadows a global (recursive) one of the same name
/// (<c>token mint --key</c> is the scheduler key, not the MQTT client key), so
/// the shadowed global is left out of that subcommand's help.</summary>
internal sealed class ShadowingHelpAction(HelpAction help) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    /// <summary>Wraps the help option of <paramref name="root"/>.</summary>
    public static void Install(RootCommand root)
    {
        var option = root.Options.OfType<HelpOption>().Single();
        if (option.Action is HelpAction help)
            option.Action = new ShadowingHelpAction(help);
    }

    public override int Invoke(ParseResult parseResult)
    {
        var command = parseResult.CommandResult.Command;
        var own = command.Options.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
        // The tree is built per invocation, so hiding for the length of one help is safe.
        var shadowed = Ancestors(command).SelectMany(c => c.Options)
            .Where(o => o.Recursive && !o.Hidden && (own.Contains(o.Name) || o.Aliases.Any(own.Contains)))
            .ToList();
        foreach (var o in shadowed)
            o.Hidden = true;
        try
        {
            return help.Invoke(parseResult);
        }
        finally
        {
            foreach (var o in shadowed)
                o.Hidden = false;
        }
    }

    static IEnumerable<Command> Ancestors(Command command)
    {
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
            yield return parent;
    }
}
