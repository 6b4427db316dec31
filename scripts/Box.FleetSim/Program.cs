using Box.FleetSim.Cli;

return await FleetSimMain.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
