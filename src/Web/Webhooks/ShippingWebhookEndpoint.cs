using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Connectors.Shipping;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;
using SalesDash.Web.Channels;
using SalesDash.Web.Channels.Webhooks;

namespace SalesDash.Web.Webhooks;

/// <summary>
/// Receives EasyPost tracker events at /webhooks/shipping/easypost/{tenantId}/{storeId}. A verified event becomes a
/// <see cref="ShipmentUpdated"/> and goes through the same ingest path as every channel event (the tenant entity, or
/// Kafka when configured); the entity dedupes it by event id and history keeps it for the shipments view.
/// </summary>
internal static class ShippingWebhookEndpoint
{
    public static RouteGroupBuilder Map(RouteGroupBuilder group)
    {
        group.MapPost("/shipping/easypost/{tenantId}/{storeId}", HandleAsync).WithName("EasyPostWebhook").DisableAntiforgery();
        return group;
    }

    internal static async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> HandleAsync(
        string tenantId, string storeId, HttpRequest request, IStoreDirectory stores, IChannelConnectionStore connections,
        ChannelEventPublisher publisher, ChannelSyncRunner runner, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var log = loggers.CreateLogger("SalesDash.Web.Webhooks.Shipping");
        var (target, problem) = await ChannelWebhook.FindAsync(tenantId, storeId, SalesChannel.Shipping, stores, connections, cancellationToken);
        if (target is null)
        {
            return problem!;
        }

        var body = await ChannelWebhook.ReadBodyAsync(request, cancellationToken);
        if (body is null)
        {
            return ChannelWebhook.TooLarge();
        }

        var check = EasyPostWebhookSignature.Verify(body, request.Headers[EasyPostWebhookSignature.Header].ToString(), ChannelWebhook.Secret(target, "webhookSecret"));
        if (!check.IsValid)
        {
            log.LogWarning("Rejected an EasyPost webhook for {Store}: {Problem}", target.Store.Store, check.Problem);
            return ChannelWebhook.Unauthorized(check.Problem!);
        }

        return await ChannelWebhook.IngestAsync(EasyPostTrackerNormalizer.Normalize(body, target.Store), target, publisher, runner, log, cancellationToken);
    }
}
