using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Connectors.Shipping;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;
using SalesDash.Web.Channels;
using SalesDash.Web.Channels.Webhooks;

namespace SalesDash.Web.Webhooks;

/// <summary>
/// Receives EasyPost tracker events at /webhooks/shipping/easypost/{tenantId}/{storeId}. Tracking moves no money, so the
/// update goes to the store's shipments list (newest state per parcel) rather than to the sales figures.
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
        ShipmentStore shipments, ChannelSyncRunner runner, ILoggerFactory loggers, CancellationToken cancellationToken)
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

        switch (EasyPostTrackerNormalizer.Normalize(body))
        {
            case ShipmentNormalizeResult.Invalid invalid:
                await runner.RecordWebhookAsync(target.Store.Store, SalesChannel.Shipping, 0, "Malformed webhook: " + invalid.Detail, cancellationToken);
                return ChannelWebhook.Problem(StatusCodes.Status400BadRequest, "Malformed webhook", invalid.Detail);
            case ShipmentNormalizeResult.Ignored ignored:
                return TypedResults.Ok(new WebhookReceipt("ignored: " + ignored.Reason, 0));
            case ShipmentNormalizeResult.Ok ok:
                var stored = await shipments.RecordAsync(target.Store.Store, ok.Update, cancellationToken);
                await runner.RecordWebhookAsync(target.Store.Store, SalesChannel.Shipping, stored ? 1 : 0, null, cancellationToken);
                return TypedResults.Ok(new WebhookReceipt(stored ? "accepted" : "duplicate", stored ? 1 : 0));
            default:
                throw new InvalidOperationException("Unknown shipment normalise result.");
        }
    }
}
