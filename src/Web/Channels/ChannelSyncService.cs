using Microsoft.Extensions.Options;
using SalesDash.Connectors;
using SalesDash.Connectors.Common;
using SalesDash.Engine.Clustering;

namespace SalesDash.Web.Channels;

/// <summary>
/// Runs every enabled poller whose next sync is due, one at a time (polls are I/O-bound and the channels' rate limits,
/// not our cores, are the bottleneck). A connection waiting on rejected credentials is skipped until it is saved again.
/// A cluster job: the cluster-jobs singleton runs it on one node, so each connection is polled by one node at a time,
/// and when that node goes the next one reads the same next-sync times from the database and carries on.
/// </summary>
internal sealed class ChannelSyncService(
    IChannelConnectionStore connections,
    ChannelSyncRunner runner,
    TimeProvider time,
    IOptions<ChannelsOptions> options,
    ILogger<ChannelSyncService> log) : IClusterJob
{
    public string Name => "channel-polling";

    public TimeSpan Interval => options.Value.SchedulerTick;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SchedulerEnabled)
        {
            return;
        }

        try
        {
            await RunDueAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One broken connection (or an unreadable database row) must not stop every other channel's syncing.
            log.LogError(e, "Channel scheduler pass failed");
        }
    }

    internal async Task RunDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var connection in await connections.ListAsync(null, cancellationToken))
        {
            if (!connection.Enabled)
            {
                continue;
            }

            // Catalogues (categories and stock for the recommendations) ride the same schedule, hourly, webhook channels' too.
            await runner.RefreshCatalogueAsync(connection.Store, connection.Channel, cancellationToken);
            if (ChannelCatalog.Find(connection.Channel)?.Kind != ChannelKind.Poller)
            {
                continue;
            }

            var status = await connections.GetStatusAsync(connection.Store, connection.Channel, cancellationToken);
            var due = status.State == SyncStates.Never || (status.NextSyncAt is { } next && next <= now);
            if (due)
            {
                await runner.SyncAsync(connection.Store, connection.Channel, cancellationToken);
            }
        }
    }
}
