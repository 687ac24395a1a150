using Microsoft.Extensions.Options;

namespace SalesDash.Web.Channels;

/// <summary>
/// Runs every enabled poller whose next sync is due, one at a time (polls are I/O-bound and the channels' rate limits,
/// not our cores, are the bottleneck). A connection waiting on rejected credentials is skipped until it is saved again.
/// </summary>
internal sealed class ChannelSyncService(
    IChannelConnectionStore connections,
    ChannelSyncRunner runner,
    TimeProvider time,
    IOptions<ChannelsOptions> options,
    ILogger<ChannelSyncService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SchedulerEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.SchedulerTick, time);
        do
        {
            try
            {
                await RunDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One broken connection (or an unreadable database row) must not stop every other channel's syncing.
                log.LogError(e, "Channel scheduler pass failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal async Task RunDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var connection in await connections.ListAsync(null, cancellationToken))
        {
            if (!connection.Enabled || ChannelCatalog.Find(connection.Channel)?.Kind != ChannelKind.Poller)
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
