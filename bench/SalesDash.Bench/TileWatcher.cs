using Microsoft.AspNetCore.SignalR.Client;
using SalesDash.Contracts.Tiles;
using SalesDash.Web.Hubs;

namespace SalesDash.Bench;

/// <summary>
/// One tiles message as the bench's SignalR client received it; Timestamp is from <see cref="TimeProvider.GetTimestamp"/>,
/// AsOf is the entity's clock when it computed the tiles (the same process clock as the bench's).
/// </summary>
public readonly record struct TileObservation(long Timestamp, long EventsApplied, decimal GrossRevenue, DateTimeOffset AsOf = default, DateTimeOffset ReceivedAtUtc = default);

/// <summary>
/// A dashboard client like the browser's: subscribes to one store on the hub and notes when each tiles
/// push arrives and how many events it covers.
/// </summary>
public sealed class TileWatcher : IAsyncDisposable
{
    private readonly HubConnection connection;
    private readonly TimeProvider time;
    private readonly List<TileObservation> observations = [];

    private TileWatcher(HubConnection connection, TimeProvider time)
    {
        this.connection = connection;
        this.time = time;
        connection.On<DashboardTiles>(DashboardHub.TilesMethod, Record);
    }

    /// <summary>The store's tiles as the subscription returned them: the baseline the run is measured from.</summary>
    public DashboardTiles Initial { get; private set; } = null!;

    public static async Task<TileWatcher> SubscribeAsync(Uri baseAddress, BenchOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        // Subscribing needs a member of the store's organisation: the bench is one through its API key.
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "hubs/dashboard"), http => http.AccessTokenProvider = () => Task.FromResult<string?>(options.ApiKey))
            .Build();
        var watcher = new TileWatcher(connection, time);
        await connection.StartAsync(cancellationToken);
        watcher.Initial = await connection.InvokeAsync<DashboardTiles>("Subscribe", options.TenantId, options.StoreId, cancellationToken);
        return watcher;
    }

    /// <summary>Every push received so far, in arrival order.</summary>
    public IReadOnlyList<TileObservation> Observations
    {
        get
        {
            lock (observations)
            {
                return [.. observations];
            }
        }
    }

    /// <summary>Waits until a push covers <paramref name="eventsApplied"/> events; false when the timeout passes first.</summary>
    public async Task<bool> WaitForAsync(long eventsApplied, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        while (time.GetTimestamp() < deadline)
        {
            lock (observations)
            {
                if (observations.Count > 0 && observations[^1].EventsApplied >= eventsApplied)
                {
                    return true;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
        }

        return false;
    }

    private void Record(DashboardTiles tiles)
    {
        var observation = new TileObservation(time.GetTimestamp(), tiles.EventsApplied, tiles.GrossRevenue.Value, tiles.AsOf, time.GetUtcNow());
        lock (observations)
        {
            observations.Add(observation);
        }
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
