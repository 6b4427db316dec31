using System.Runtime.InteropServices;
using Box.Ctl;

using var stop = new CancellationTokenSource();
// Ctrl-C and SIGTERM end `watch` cleanly and stop waiting elsewhere.
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
return await BoxCtl.RunAsync(args, Console.Out, Console.Error, stop.Token);

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
