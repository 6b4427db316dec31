using Box.Agent.Cli;

// box-agent: exit 0 clean stop, 2 bad arguments or configuration (one line on
// stderr naming the problem), 1 anything else.
return await AgentMain.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
