using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Connectors.Shopify;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.ShopifyAdmin;

/// <summary>A Shopify Admin API connection: the shop (the store's unless set), where the backfill starts, and the access token.</summary>
public sealed record ShopifyAdminConnection(string ShopDomain, DateTimeOffset Since, string AccessToken);

/// <summary>Shopify Admin API backfill and reconciliation of orders and refunds (webhooks stay the live path).</summary>
public sealed class ShopifyAdminPollerModule : PollerModule<ShopifyAdminConnection>
{
    public override SalesChannel Channel => SalesChannel.Shopify;

    public override ShopifyAdminConnection Bind(ConnectionValues values, PollerContext context)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(context);
        return new(values.Setting("shopDomain") ?? context.Store.ShopDomain, context.Since(values), PollerModule.Required(values.Credential("accessToken"), "accessToken"));
    }

    public override IChannelPoller Create(ShopifyAdminConnection connection, PollerContext context)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(context);
        return new ShopifyBackfillPoller(context.ChannelHttp(), new StaticAccessToken(connection.AccessToken),
            new ShopifyAdminSettings(ShopUri(connection.ShopDomain), context.Endpoints.ShopifyApiVersion, connection.Since), context.Store, context.Cursors);
    }

    /// <summary>
    /// The shop's Admin API origin. Checked again here, not only where settings are accepted: a store or connection saved
    /// before the rule existed must not aim the backfill at another host.
    /// </summary>
    private static Uri ShopUri(string shopDomain) =>
        ShopifyShopDomain.TryNormalise(shopDomain, out var domain)
            ? new Uri("https://" + domain)
            : throw new InvalidOperationException(ShopifyShopDomain.Rule(shopDomain));
}
