using Microsoft.AspNetCore.SignalR.Client;
using SalesDash.Contracts.Tiles;
using SalesDash.Web.Hubs;

namespace SalesDash.Bench;

/// <summary>
/// A dashboard client like the browser's: subscribes to one store on the hub and notes when each tiles
/// push arrives and how many events it covers.
/// </summary>
public sealed class TileWatcher : IAsyncDisposable
{
    private readonly HubConnection connection;
    private readonly TileObservations observations;

    private TileWatcher(HubConnection connection, TimeProvider time)
    {
        this.connection = connection;
        observations = new TileObservations(time);
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
    public IReadOnlyList<TileObservation> Observations => observations.All;

    /// <summary>Waits until a push covers <paramref name="eventsApplied"/> events; false when the timeout passes first.</summary>
    public Task<bool> WaitForAsync(long eventsApplied, TimeSpan timeout, CancellationToken cancellationToken) =>
        observations.WaitForAsync(eventsApplied, timeout, cancellationToken);

    private void Record(DashboardTiles tiles) => observations.Note(tiles);

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
