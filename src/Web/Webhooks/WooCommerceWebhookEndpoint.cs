using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Connectors.WooCommerce;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;
using SalesDash.Web.Channels;
using SalesDash.Web.Channels.Webhooks;

namespace SalesDash.Web.Webhooks;

/// <summary>Receives WooCommerce order webhooks at /webhooks/woocommerce/{tenantId}/{storeId}, signed with the connection's secret.</summary>
internal static class WooCommerceWebhookEndpoint
{
    public static RouteGroupBuilder Map(RouteGroupBuilder group)
    {
        group.MapPost("/woocommerce/{tenantId}/{storeId}", HandleAsync).WithName("WooCommerceWebhook").DisableAntiforgery();
        return group;
    }

    internal static async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> HandleAsync(
        string tenantId, string storeId, HttpRequest request, IStoreDirectory stores, IChannelConnectionStore connections,
        ChannelEventPublisher publisher, ChannelSyncRunner runner, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var log = loggers.CreateLogger("SalesDash.Web.Webhooks.WooCommerce");
        var (target, problem) = await ChannelWebhook.FindAsync(tenantId, storeId, SalesChannel.WooCommerce, stores, connections, cancellationToken);
        if (target is null)
        {
            return problem!;
        }

        var body = await ChannelWebhook.ReadBodyAsync(request, cancellationToken);
        if (body is null)
        {
            return ChannelWebhook.TooLarge();
        }

        var check = WooCommerceWebhookSignature.Verify(body, request.Headers[WooCommerceHeaders.Signature].ToString(), ChannelWebhook.Secret(target, "webhookSecret"));
        if (!check.IsValid)
        {
            log.LogWarning("Rejected a WooCommerce webhook for {Store}: {Problem}", target.Store.Store, check.Problem);
            return ChannelWebhook.Unauthorized(check.Problem!);
        }

        var normalized = WooCommerceOrderNormalizer.Normalize(request.Headers[WooCommerceHeaders.Topic].ToString(), body, target.Store);
        return await ChannelWebhook.IngestAsync(normalized, target, publisher, runner, log, cancellationToken);
    }
}
