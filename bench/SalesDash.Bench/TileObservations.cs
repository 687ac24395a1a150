using SalesDash.Contracts.Tiles;

namespace SalesDash.Bench;

/// <summary>
/// One tiles message as a bench client received it; Timestamp is from <see cref="TimeProvider.GetTimestamp"/>,
/// AsOf is the entity's clock when it computed the tiles (the same process clock as the bench's).
/// </summary>
public readonly record struct TileObservation(long Timestamp, long EventsApplied, decimal GrossRevenue, DateTimeOffset AsOf = default, DateTimeOffset ReceivedAtUtc = default);

/// <summary>
/// The tiles pushes one client has received, in arrival order. Both tile clients (the .NET SignalR one and the one that
/// reads on a thread of its own) note into one of these from their receive path, and the bench reads and waits on it.
/// </summary>
public sealed class TileObservations(TimeProvider time)
{
    private readonly List<TileObservation> _observations = [];

    /// <summary>Every push noted so far, in arrival order.</summary>
    public IReadOnlyList<TileObservation> All
    {
        get
        {
            lock (_observations)
            {
                return [.. _observations];
            }
        }
    }

    /// <summary>Notes a push now, on the bench's clock.</summary>
    public void Note(DashboardTiles tiles)
    {
        var observation = new TileObservation(time.GetTimestamp(), tiles.EventsApplied, tiles.GrossRevenue.Value, tiles.AsOf, time.GetUtcNow());
        lock (_observations)
        {
            _observations.Add(observation);
        }
    }

    /// <summary>Waits until a push covers <paramref name="eventsApplied"/> events; false when the timeout passes first.</summary>
    public async Task<bool> WaitForAsync(long eventsApplied, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        while (time.GetTimestamp() < deadline)
        {
            lock (_observations)
            {
                if (_observations.Count > 0 && _observations[^1].EventsApplied >= eventsApplied)
                {
                    return true;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
        }

        return false;
    }
}
