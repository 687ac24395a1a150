using SalesDash.Connectors.Currency;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Quarantine;

namespace SalesDash.Engine.Ingestion;

/// <summary>The organisation's reporting currency, wherever the host keeps it; null when it has none.</summary>
public interface IReportingCurrencySource
{
    string? For(string tenantId);
}

/// <summary>
/// The one door into the engine for every webhook, poll, import and replay, after the channel has verified and
/// normalised what it received: guard → convert currency → ingest. An event that skipped this would reach the tiles
/// without its store-currency conversion or reporting rate (Shopify orders once did), so nothing else calls
/// <see cref="ICommerceEventIngest"/> for channel data.
/// </summary>
public sealed class IngestionPipeline(ICommerceEventIngest ingest, IExchangeRates rates, IReportingCurrencySource reporting, TimeProvider time)
{
    // The host gives the rates through RecentExchangeRates: reading the table per event was two app-database queries per
    // webhook of a multi-currency store.
    private readonly CurrencyNormalizer _currency = new(rates);

    /// <summary>Ingests the events of one delivery or page, each once durable, and returns how many were new.</summary>
    /// <exception cref="MissingExchangeRateException">An event is in a foreign currency with no rate for its day; nothing was ingested.</exception>
    /// <exception cref="InvalidCommerceEventException">An event is unusable (e.g. dated far in the future); nothing was ingested.</exception>
    public async Task<int> IngestAsync(StoreProfile store, IReadOnlyList<CommerceEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 1)
        {
            // The usual webhook: one order, no list to build.
            return await IngestAsync(store, events[0], cancellationToken) == IngestOutcome.Accepted ? 1 : 0;
        }

        // Convert the whole batch first, so a missing rate or a refused event stores nothing rather than half a delivery.
        var reportingCurrency = reporting.For(store.Store.TenantId);
        var ready = new CommerceEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            ready[i] = await PrepareAsync(store, events[i], reportingCurrency, cancellationToken);
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

    /// <summary>Ingests one event and says what became of it (imports count accepted, duplicate and quarantined apart).</summary>
    public async Task<IngestOutcome> IngestAsync(StoreProfile store, CommerceEvent commerceEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var ready = await PrepareAsync(store, commerceEvent, reporting.For(store.Store.TenantId), cancellationToken);
        return await ingest.IngestAsync(ready, cancellationToken);
    }

    /// <summary>A poller's sink for one store.</summary>
    public ICommerceEventSink SinkFor(StoreProfile store) => new StoreSink(this, store);

    private async ValueTask<CommerceEvent> PrepareAsync(StoreProfile store, CommerceEvent commerceEvent, string? reportingCurrency, CancellationToken cancellationToken)
    {
        // The event must belong to the store it arrived for: a channel never decides which tenant it writes to.
        if (commerceEvent.Store != store.Store)
        {
            throw new InvalidOperationException($"An event for {commerceEvent.Store} arrived through the door of {store.Store}.");
        }

        // The guard runs before converting (in the store's currency, which conversion sets): an amount past its bounds
        // would overflow decimal when multiplied by a rate, and is refused with its field named instead.
        var inStoreCurrency = string.Equals(commerceEvent.Currency, store.Currency, StringComparison.Ordinal) ? commerceEvent : commerceEvent with { Currency = store.Currency };
        CommerceEventGuard.EnsureValid(inStoreCurrency, time.GetUtcNow());
        return await _currency.NormalizeAsync(commerceEvent, store.Currency, reportingCurrency, cancellationToken);
    }

    private sealed class StoreSink(IngestionPipeline pipeline, StoreProfile store) : ICommerceEventSink
    {
        public Task<int> PublishAsync(IReadOnlyList<CommerceEvent> events, CancellationToken cancellationToken) =>
            pipeline.IngestAsync(store, events, cancellationToken);
    }
}
