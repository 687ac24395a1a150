using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SalesDash.Connectors;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Currency;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Quarantine;
using SalesDash.Engine.Stores;
using SalesDash.Web.Recommendations;

namespace SalesDash.Web.Channels;

/// <summary>
/// Runs one poll of one connection and records how it went. Runs of the same connection are serialised, so the
/// scheduler and a "sync now" never read and write the same cursor at once.
/// </summary>
public sealed class ChannelSyncRunner(
    IChannelConnectionStore connections,
    IStoreDirectory stores,
    ChannelPollerFactory pollers,
    IngestionPipeline pipeline,
    ProductCatalogue catalogue,
    TimeProvider time,
    IOptions<ChannelsOptions> options,
    ILogger<ChannelSyncRunner> log)
{
    private readonly ConcurrentDictionary<(StoreRef, SalesChannel), SemaphoreSlim> _gates = new();

    /// <summary>Polls the connection now; returns the status it left behind (null when there is no such connection).</summary>
    public async Task<ChannelSyncStatus?> SyncAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd((store, channel), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var connection = await connections.GetAsync(store, channel, cancellationToken);
            var profile = await stores.GetAsync(store, cancellationToken);
            // A disconnected store (src/Web/Stores/StoreLifecycle) takes no more data: its pollers do not run.
            if (connection is null || profile is null || profile.DisconnectedAt is not null || ChannelCatalog.Find(channel)?.Kind != ChannelKind.Poller)
            {
                return null;
            }

            var previous = await connections.GetStatusAsync(store, channel, cancellationToken);
            var startedAt = time.GetUtcNow();
            var interval = connection.PollInterval > TimeSpan.Zero ? connection.PollInterval : options.Value.DefaultPollInterval;
            ChannelSyncStatus status;
            try
            {
                var poller = pollers.Create(connection, profile);
                var outcome = await poller.PollAsync(pipeline.SinkFor(profile), cancellationToken);
                status = previous with
                {
                    State = SyncStates.Ok, LastSyncAt = startedAt, LastSuccessAt = startedAt, LastError = null,
                    EventsIngested = previous.EventsIngested + outcome.EventsPublished, NextSyncAt = startedAt + interval, LastSummary = outcome.Summary,
                };
            }
            catch (ChannelAuthException e)
            {
                // Retrying cannot help until someone reconnects; saving the connection schedules it again.
                status = previous with { State = SyncStates.CredentialsRejected, LastSyncAt = startedAt, LastError = e.Message, NextSyncAt = null };
            }
            catch (ChannelRateLimitedException e)
            {
                status = previous with { State = SyncStates.RateLimited, LastSyncAt = startedAt, LastError = e.Message, NextSyncAt = e.RetryAt };
            }
            catch (Exception e) when (e is ChannelResponseException or MissingExchangeRateException or InvalidCommerceEventException
                                          or InvalidOperationException or TimeoutException or HttpRequestException)
            {
                status = previous with { State = SyncStates.Error, LastSyncAt = startedAt, LastError = e.Message, NextSyncAt = startedAt + interval };
            }

            if (status.State != SyncStates.Ok)
            {
                log.LogWarning("Sync of {Channel} for {Store} ended {State}: {Error}", channel, store, status.State, status.LastError);
            }

            // The status is saved even when the caller gave up, so the scheduler does not hammer a failing channel.
            await connections.SaveStatusAsync(store, channel, status, CancellationToken.None);
            return status;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Reads the connection's catalogue (categories and stock per SKU) into <see cref="SalesDash.Web.Recommendations.ProductCatalogue"/>
    /// when its channel has one, the connection has what reading it needs, and the last try is an interval old. Serialised
    /// with the connection's polls. A failure keeps what was read before and is logged and kept with the try; it does not
    /// touch the orders' sync status. A refusal (401/403) waits for the connection to be saved again (see
    /// <see cref="SalesDash.Web.Recommendations.ProductCatalogue.IsDue"/>). Returns whether a read was made.
    /// </summary>
    public async Task<bool> RefreshCatalogueAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken)
    {
        if (!pollers.HasCatalogue(channel))
        {
            return false;
        }

        var gate = _gates.GetOrAdd((store, channel), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            // The last try first: on most scheduler ticks the hourly read is not due, and that one query is all it costs.
            var now = time.GetUtcNow();
            var last = await catalogue.LastTryAsync(store, channel, cancellationToken);
            if (!ProductCatalogue.IsDue(last, now))
            {
                return false;
            }

            var connection = await connections.GetAsync(store, channel, cancellationToken);
            var profile = await stores.GetAsync(store, cancellationToken);
            if (connection is not { Enabled: true } || profile is null || profile.DisconnectedAt is not null || !ProductCatalogue.IsDue(last, now, connection.UpdatedAt))
            {
                return false;
            }

            try
            {
                if (pollers.CreateCatalogueReader(connection, profile) is not { } reader)
                {
                    return false;
                }

                var read = await reader.ReadCatalogueAsync(cancellationToken);
                await catalogue.SaveAsync(store, channel, read, now, cancellationToken);
                return true;
            }
            catch (ChannelAuthException e)
            {
                // The orders may still flow with the same token: only product access is missing, which a reconnect grants.
                log.LogInformation("Catalogue read of {Channel} for {Store} refused; waiting for a reconnect: {Error}", channel, store, e.Message);
                await catalogue.RecordFailureAsync(store, channel, e.Message, accessDenied: true, now, CancellationToken.None);
                return false;
            }
            catch (Exception e) when (e is ChannelResponseException or ChannelRateLimitedException
                                          or InvalidOperationException or TimeoutException or HttpRequestException)
            {
                log.LogWarning("Catalogue read of {Channel} for {Store} failed: {Error}", channel, store, e.Message);
                await catalogue.RecordFailureAsync(store, channel, e.Message, accessDenied: false, now, CancellationToken.None);
                return false;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Checks a connection: one cheap authenticated call for pollers, the presence of what verification needs for webhooks.</summary>
    public async Task<ConnectionCheck?> TestAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken)
    {
        var connection = await connections.GetAsync(store, channel, cancellationToken);
        var profile = await stores.GetAsync(store, cancellationToken);
        var descriptor = ChannelCatalog.Find(channel);
        if (connection is null || profile is null || descriptor is null)
        {
            return null;
        }

        if (descriptor.Kind == ChannelKind.Webhook)
        {
            var missing = descriptor.RequiredSettings.Where(k => !connection.Settings.ContainsKey(k))
                .Concat(descriptor.RequiredCredentials.Where(k => !connection.Credentials.ContainsKey(k))).ToList();
            var path = descriptor.WebhookPathFor(store.TenantId, store.StoreId);
            return missing.Count == 0
                ? new ConnectionCheck(true, $"Ready: point the {channel} webhook at {path}. Deliveries are verified as they arrive.")
                : new ConnectionCheck(false, $"Missing: {string.Join(", ", missing)}.");
        }

        try
        {
            return await pollers.Create(connection, profile).TestConnectionAsync(cancellationToken);
        }
        catch (ChannelAuthException e)
        {
            return new ConnectionCheck(false, e.Message);
        }
        catch (ChannelRateLimitedException e)
        {
            return new ConnectionCheck(false, $"{e.Message} Try again after {e.RetryAt.UtcDateTime:O}.");
        }
        catch (Exception e) when (e is ChannelResponseException or InvalidOperationException or HttpRequestException)
        {
            return new ConnectionCheck(false, e.Message);
        }
    }

    /// <summary>Records a webhook delivery's result in the connection's status, so webhook channels show their last sync too.</summary>
    public async Task RecordWebhookAsync(StoreRef store, SalesChannel channel, int accepted, string? error, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd((store, channel), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var previous = await connections.GetStatusAsync(store, channel, cancellationToken);
            var now = time.GetUtcNow();
            var status = error is null
                ? previous with { State = SyncStates.Ok, LastSyncAt = now, LastSuccessAt = now, LastError = null, EventsIngested = previous.EventsIngested + accepted, LastSummary = $"webhook: {accepted} new event(s)" }
                : previous with { State = SyncStates.Error, LastSyncAt = now, LastError = error };
            await connections.SaveStatusAsync(store, channel, status, CancellationToken.None);
        }
        finally
        {
            gate.Release();
        }
    }
}
