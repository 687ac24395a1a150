using Microsoft.Extensions.Logging;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;

namespace SalesDash.Engine.Insights.MultiChannel;

/// <summary>
/// Wraps the ingestion boundary so every accepted order and ad spend also lands in the insight store. It sits on the
/// boundary rather than in the tenant entity because webhooks, pollers and imports all pass through it, and the
/// entity's journal does not need to know about attribution.
/// </summary>
public sealed class InsightRecordingIngest(ICommerceEventIngest inner, IChannelInsightStore store, ILogger<InsightRecordingIngest> log) : ICommerceEventIngest
{
    public async Task<IngestOutcome> IngestAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken)
    {
        var outcome = await inner.IngestAsync(commerceEvent, cancellationToken);
        if (outcome != IngestOutcome.Accepted)
        {
            return outcome;
        }

        try
        {
            switch (InsightFacts.From(commerceEvent))
            {
                case OrderTouch order:
                    await store.WriteAsync([order], [], cancellationToken);
                    break;
                case SpendFact spend:
                    await store.WriteAsync([], [spend], cancellationToken);
                    break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The event is durable already; refusing the delivery now would only make the channel send it again.
            log.LogError(e, "Recording insight facts of {EventId} for {Store} failed", commerceEvent.EventId, commerceEvent.Store);
        }

        return outcome;
    }
}
