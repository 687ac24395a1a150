using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Quarantine;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Ingestion;

/// <summary>
/// The embedded ingestion path: hands the event to its store's sharded entity and returns once the entity
/// has journaled it (Accepted) or recognised it (Duplicate). A timeout surfaces as an exception, so the
/// webhook is not acknowledged and the platform retries; the retry is then deduplicated. Events that fail
/// <see cref="CommerceEventGuard"/> are refused with <see cref="InvalidCommerceEventException"/>.
/// </summary>
public sealed class ShardedCommerceEventIngest(IRequiredActor<TenantStoreRegion> region, IOptions<EngineOptions> options, TimeProvider time) : ICommerceEventIngest
{
    private readonly TimeSpan _timeout = options.Value.AskTimeout;

    public async Task<IngestOutcome> IngestAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken)
    {
        CommerceEventGuard.EnsureValid(commerceEvent, time.GetUtcNow());
        var shardRegion = await region.GetAsync(cancellationToken);
        var recorded = await shardRegion.Ask<TenantStore.Recorded>(new TenantStore.Record(commerceEvent), _timeout, cancellationToken);
        return recorded.Outcome;
    }
}
