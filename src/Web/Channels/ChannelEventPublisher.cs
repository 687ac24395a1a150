using Microsoft.Extensions.Options;
using SalesDash.Connectors.Currency;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Ingestion;

namespace SalesDash.Web.Channels;

/// <summary>
/// The one way channel events reach the engine: money put into the store's currency and stamped with the reporting
/// currency, then ingested one by one (each returns once durable). Webhooks and pollers both go through it.
/// </summary>
public sealed class ChannelEventPublisher(ICommerceEventIngest ingest, IExchangeRates rates, IOptions<ChannelsOptions> options, TimeProvider time)
{
    private readonly CurrencyNormalizer _currency = new(rates);

    /// <summary>Ingests the events and returns how many were new.</summary>
    /// <exception cref="MissingExchangeRateException">An event is in a foreign currency with no rate for its day.</exception>
    /// <exception cref="InvalidCommerceEventException">The engine refused an event (e.g. dated far in the future).</exception>
    public async Task<int> PublishAsync(StoreProfile store, IReadOnlyList<CommerceEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(events);
        var reporting = options.Value.ReportingCurrencyFor(store.Store.TenantId);

        // Convert the whole batch first, so a missing rate stores nothing rather than half a delivery. The guard runs
        // before converting too (in the store's currency, which conversion sets): an amount past its bounds would
        // overflow decimal when multiplied by a rate, and is refused with its field named instead.
        var ready = new List<CommerceEvent>(events.Count);
        var now = time.GetUtcNow();
        foreach (var commerceEvent in events)
        {
            CommerceEventGuard.EnsureValid(commerceEvent with { Currency = store.Currency }, now);
            ready.Add(await _currency.NormalizeAsync(commerceEvent, store.Currency, reporting, cancellationToken));
        }

        var accepted = 0;
        foreach (var commerceEvent in ready)
        {
            if (await ingest.IngestAsync(commerceEvent, cancellationToken) == IngestOutcome.Accepted)
            {
                accepted++;
            }
        }

        return accepted;
    }

    /// <summary>A poller's sink for one store.</summary>
    public ICommerceEventSink SinkFor(StoreProfile store) => new StoreSink(this, store);

    private sealed class StoreSink(ChannelEventPublisher publisher, StoreProfile store) : ICommerceEventSink
    {
        public Task<int> PublishAsync(IReadOnlyList<CommerceEvent> events, CancellationToken cancellationToken) =>
            publisher.PublishAsync(store, events, cancellationToken);
    }
}
