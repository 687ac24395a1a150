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
    private readonly AnswerQueue? _answers = options.Value.AnswerWebhooksTogether ? new AnswerQueue() : null;

    public async Task<IngestOutcome> IngestAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken)
    {
        CommerceEventGuard.EnsureValid(commerceEvent, time.GetUtcNow());
        var shardRegion = await region.GetAsync(cancellationToken);
        if (shardRegion is not IInternalActorRef { Provider: { } provider })
        {
            // Not a ref of this actor system (Akka's Ask would find the provider the same way, or refuse): ask as before.
            var answered = await shardRegion.Ask<TenantStore.Recorded>(new TenantStore.Record(commerceEvent), _timeout, cancellationToken);
            return answered.Outcome;
        }

        // Akka's Ask, with its clean-up after the await instead of in a continuation of its own (see RecordAsk). The
        // timeout is wall-clock time, as Ask's is: it bounds how long the request waits, while the injected clock is the
        // store's business time (tests replay days of it with requests in flight).
        var ask = RecordAsk.Create(provider, _timeout, _answers);
        using var timeout = _timeout > TimeSpan.Zero && _timeout != Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : null;
        using var timedOut = timeout?.Token.UnsafeRegister(RecordAsk.TimeOut, ask) ?? default;
        timeout?.CancelAfter(_timeout);
        using var cancelled = cancellationToken.UnsafeRegister(RecordAsk.Cancel, ask);
        provider.RegisterTempActor(ask, ask.Path);
        try
        {
            ask.DeliverAsk(new TenantStore.Record(commerceEvent), shardRegion);
            var recorded = await ask.Answer;
            return recorded.Outcome;
        }
        finally
        {
            provider.UnregisterTempActor(ask.Path);
        }
    }
}
