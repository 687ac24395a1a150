using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Connectors.Shopify;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.ShopifyAdmin;

/// <summary>What a Shopify Admin connection is set with: the shop's permanent domain (the store's by default) and where the backfill starts.</summary>
public sealed record ShopifyAdminConnectionSettings(string? ShopDomain, DateTimeOffset? Since);

/// <summary>The Admin API access token (from the app install, or a custom app's).</summary>
public sealed record ShopifyAdminConnectionCredentials(string AccessToken);

/// <summary>A Shopify Admin API connection: the shop (the store's unless set), where the backfill starts, and the access token.</summary>
public sealed record ShopifyAdminConnection(string ShopDomain, DateTimeOffset Since, string AccessToken);

/// <summary>Shopify Admin API backfill and reconciliation of orders and refunds (webhooks stay the live path).</summary>
public sealed class ShopifyAdminPollerModule : PollerModule<ShopifyAdminConnection>, ICatalogueModule
{
    public static ChannelDescriptor Descriptor { get; } = ChannelDescriptor.Poller<ShopifyAdminConnectionSettings, ShopifyAdminConnectionCredentials>(
        SalesChannel.Shopify, "Shopify Admin API backfill and reconciliation of orders and refunds (webhooks stay the live path).", ShopifyBackfillPoller.Stream,
        nameof(ShopifyAdminConnectionSettings.ShopDomain)) with
    {
        Rules = ShopDomainRule,
    };

    /// <summary>The backfill calls https://{shopDomain}/admin/...: only a shop name, never a host the tenant picks.</summary>
    private static IEnumerable<FieldProblem> ShopDomainRule(ConnectionValues values)
    {
        var domain = values.Setting(ConnectionForm.Name(nameof(ShopifyAdminConnectionSettings.ShopDomain)));
        if (domain is not null && !ShopifyShopDomain.TryNormalise(domain, out _))
        {
            yield return new FieldProblem("settings." + ConnectionForm.Name(nameof(ShopifyAdminConnectionSettings.ShopDomain)), ShopifyShopDomain.Rule(domain));
        }
    }

    public override SalesChannel Channel => SalesChannel.Shopify;

    /// <summary>The backfill poller reads the catalogue too, with the same shop and token.</summary>
    public ICatalogueReader? CreateCatalogueReader(ConnectionValues values, PollerContext context) => (ShopifyBackfillPoller)Create(values, context);

    protected override ShopifyAdminConnection Read(ConnectionValues values, PollerContext context)
    {
        return new(values.Setting("shopDomain") ?? context.Store.ShopDomain, context.Since(values), PollerModule.Required(values.Credential("accessToken"), "accessToken"));
    }

    protected override IChannelPoller Start(ShopifyAdminConnection connection, PollerContext context)
    {
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
