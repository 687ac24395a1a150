using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SalesDash.Connectors.Stripe;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;
using SalesDash.Web.Channels;
using SalesDash.Web.Channels.Webhooks;

namespace SalesDash.Web.Webhooks;

/// <summary>
/// Receives Stripe events at /webhooks/stripe/{tenantId}/{storeId}. The signed timestamp must be within the tolerance
/// (replays are refused with 401), and the event id makes a retried delivery count once.
/// </summary>
internal static class StripeWebhookEndpoint
{
    public static RouteGroupBuilder Map(RouteGroupBuilder group)
    {
        group.MapPost("/stripe/{tenantId}/{storeId}", HandleAsync).WithName("StripeWebhook").DisableAntiforgery();
        return group;
    }

    internal static async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> HandleAsync(
        string tenantId, string storeId, HttpRequest request, IStoreDirectory stores, IChannelConnectionStore connections,
        ChannelEventPublisher publisher, ChannelSyncRunner runner, TimeProvider time, IOptions<ChannelsOptions> options,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var log = loggers.CreateLogger("SalesDash.Web.Webhooks.Stripe");
        var (target, problem) = await ChannelWebhook.FindAsync(tenantId, storeId, SalesChannel.Stripe, stores, connections, cancellationToken);
        if (target is null)
        {
            return problem!;
        }

        var body = await ChannelWebhook.ReadBodyAsync(request, cancellationToken);
        if (body is null)
        {
            return ChannelWebhook.TooLarge();
        }

        var check = StripeWebhookSignature.Verify(body, request.Headers[StripeWebhookSignature.Header].ToString(),
            ChannelWebhook.Secret(target, "webhookSecret"), time.GetUtcNow(), options.Value.WebhookTolerance);
        if (!check.IsValid)
        {
            log.LogWarning("Rejected a Stripe webhook for {Store}: {Problem}", target.Store.Store, check.Problem);
            return ChannelWebhook.Unauthorized(check.Problem!);
        }

        return await ChannelWebhook.IngestAsync(StripeEventNormalizer.Normalize(body, target.Store), target, publisher, runner, log, cancellationToken);
    }
}
