using System.Diagnostics;
using Box.Hal.Profiles;

namespace Box.FleetSim.Fleet;

/// <summary>N simulated boxes in this process against one broker. Boxes are
/// built on a few workers (optionally paced by <see cref="FleetOptions.RampPerSecond"/>);
/// each then connects on its own, with its link's own backoff and jitter.</summary>
public sealed class Fleet : IAsyncDisposable
{
    private readonly FleetOptions _options;
    private readonly CancellationTokenSource _stop;
    private readonly ButtonPoller _buttons = new();
    private readonly FleetBox?[] _boxes;
    private readonly bool[] _wasConnected;
    private readonly bool[] _everConnected;
    private int _started;
    private Task _starting = Task.CompletedTask;

    private Fleet(FleetOptions options, CancellationToken stop)
    {
        _options = options;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        _boxes = new FleetBox?[options.Count];
        _wasConnected = new bool[options.Count];
        _everConnected = new bool[options.Count];
    }

    public FleetOptions Options => _options;

    /// <summary>Boxes built and running so far.</summary>
    public int Started => Volatile.Read(ref _started);

    /// <summary>Commands the boxes dispatched (answered or accepted).</summary>
    public long CommandsAnswered => Boxes.Sum(box => box.Host.Cloud?.Dispatcher.Dispatched ?? 0);

    /// <summary>Completes when every box is built (or the first one failed: rethrows).</summary>
    public Task AllStarted => _starting;

    public IEnumerable<FleetBox> Boxes => _boxes.OfType<FleetBox>();

    /// <summary>Starts building the boxes and returns at once; see <see cref="AllStarted"/>.</summary>
    public static Fleet Start(FleetOptions options, CancellationToken stop)
    {
        var fleet = new Fleet(options, stop);
        fleet._starting = fleet.StartBoxesAsync();
        return fleet;
    }

    private async Task StartBoxesAsync()
    {
        var profile = BoardProfiles.Load("sim");
        var clock = Stopwatch.StartNew();
        var workers = Math.Max(2, Environment.ProcessorCount * 2);
        await Parallel.ForEachAsync(Enumerable.Range(0, _options.Count),
            new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = _stop.Token },
            async (i, token) =>
            {
                if (_options.RampPerSecond > 0)
                {
                    var due = TimeSpan.FromSeconds(i / _options.RampPerSecond) - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                        await Task.Delay(due, token).ConfigureAwait(false);
                }
                _boxes[i] = await FleetBox.StartAsync(_options, _options.IdOf(_options.First + i), profile, _buttons,
                    _stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _started);
            }).ConfigureAwait(false);
    }

    /// <summary>Counts for one stats line. <c>Connects</c> = boxes that came
    /// (back) online since the previous call; <c>Reconnecting</c> = boxes that
    /// were online once and are not now. Call from one thread.</summary>
    public (int Connected, int Connects, int Reconnecting) Sample()
    {
        int connected = 0, connects = 0, reconnecting = 0;
        for (var i = 0; i < _boxes.Length; i++)
        {
            if (Volatile.Read(ref _boxes[i]) is not { } box)
                continue;
            var up = box.IsConnected;
            if (up)
            {
                connected++;
                if (!_wasConnected[i])
                    connects++;
                _everConnected[i] = true;
            }
            else if (_everConnected[i])
            {
                reconnecting++;
            }
            _wasConnected[i] = up;
        }
        return (connected, connects, reconnecting);
    }

    /// <summary>Stops every box: supervisor loops end, links publish retained
    /// offline and disconnect (all at once; bounded by the links' own timeouts).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _starting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception)
        {
            // Reported by whoever awaited AllStarted; the boxes that did start still stop.
        }
        await Task.WhenAll(Boxes.Select(b => b.DisposeAsync().AsTask())).ConfigureAwait(false);
        _buttons.Dispose();
        _stop.Dispose();
    }
}
