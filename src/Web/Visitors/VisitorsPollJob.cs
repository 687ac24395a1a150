using Microsoft.Extensions.Options;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.GoogleAnalytics;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Clustering;
using SalesDash.Engine.Stores;
using SalesDash.Web.Channels;

namespace SalesDash.Web.Visitors;

/// <summary>How often GA4's realtime figures are read.</summary>
public sealed class VisitorsOptions
{
    public const string Section = "Visitors";

    /// <summary>GA4 updates realtime figures within seconds; once a minute keeps within the Realtime API's hourly token quota.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Off in tests that read GA4 on demand, so no scheduled read runs beside theirs.</summary>
    public bool PollEnabled { get; set; } = true;
}

/// <summary>
/// Reads GA4's realtime figures for every enabled Google Analytics connection, once per property: stores that share a
/// property share one set of calls (GA4 quotas are per property). A cluster job, so one node polls however many run.
/// A failed read keeps the last good reading and records the error, so the tile says how old its figure is.
/// </summary>
internal sealed class VisitorsPollJob(
    IChannelConnectionStore connections,
    IStoreDirectory stores,
    VisitorReadings readings,
    IHttpClientFactory clients,
    ICursorStore cursors,
    TimeProvider time,
    IOptions<ChannelsOptions> channels,
    IOptions<VisitorsOptions> options,
    ILogger<VisitorsPollJob> log) : IClusterJob
{
    private readonly Ga4PollerModule _module = new();

    public string Name => "ga4-realtime";

    public TimeSpan Interval => options.Value.PollInterval;

    public Task RunAsync(CancellationToken cancellationToken) => options.Value.PollEnabled ? PollAllAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>One read of every connected property, now.</summary>
    internal async Task PollAllAsync(CancellationToken cancellationToken)
    {
        var all = await connections.ListAsync(null, cancellationToken);
        var byProperty = all.Where(c => c.Enabled && c.Channel == SalesChannel.GoogleAnalytics && c.Settings.ContainsKey("propertyId"))
            .GroupBy(c => c.Settings["propertyId"], StringComparer.Ordinal);
        foreach (var property in byProperty)
        {
            await PollPropertyAsync(property.Key, [.. property.OrderByDescending(c => c.UpdatedAt)], cancellationToken);
        }
    }

    private async Task PollPropertyAsync(string propertyId, IReadOnlyList<ChannelConnection> sharing, CancellationToken cancellationToken)
    {
        var attemptAt = time.GetUtcNow();
        Ga4LiveReading? reading = null;
        string? error = null;
        try
        {
            // The most recently saved connection's grant: the one most likely still valid.
            var first = sharing[0];
            var profile = await stores.GetAsync(first.Store, cancellationToken)
                ?? throw new InvalidOperationException($"The store {first.Store} of the connection no longer exists.");
            var context = new PollerContext(clients.CreateClient(ChannelsHosting.HttpClientName), channels.Value.Endpoints, profile, cursors, time);
            reading = await _module.CreateRealtime(new ConnectionValues(first.Settings, first.Credentials), context).ReadAsync(cancellationToken);
        }
        catch (Exception e) when (e is ChannelAuthException or ChannelRateLimitedException or ChannelResponseException
                                      or InvalidOperationException or HttpRequestException or TimeoutException)
        {
            error = e.Message;
            log.LogWarning("GA4 realtime read of property {Property} failed: {Error}", propertyId, e.Message);
        }

        foreach (var connection in sharing)
        {
            var previous = await readings.LoadAsync(connection.Store, cancellationToken);
            var state = reading is not null
                ? new VisitorState(reading, attemptAt, null)
                : new VisitorState(previous?.Reading is { } last && last.PropertyId == propertyId ? last : null, attemptAt, error);
            await readings.SaveAsync(connection.Store, state, cancellationToken);
        }
    }
}
