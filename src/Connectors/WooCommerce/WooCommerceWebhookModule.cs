using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.WooCommerce;

/// <summary>Where the shop is, for reading its catalogue through the REST API (optional: orders come by webhook).</summary>
public sealed record WooCommerceConnectionSettings(string? SiteUrl);

/// <summary>The webhook secret, and a read-only REST API key for the catalogue (both parts or neither).</summary>
public sealed record WooCommerceConnectionCredentials(string WebhookSecret, string? ConsumerKey, string? ConsumerSecret);

/// <summary>
/// WooCommerce order webhooks at /webhooks/woocommerce/{tenantId}/{storeId}, signed with the connection's secret; with the
/// site's URL and a REST API key, the catalogue (categories and stock) is read on the poll schedule too.
/// </summary>
public sealed class WooCommerceWebhookModule : SecretWebhookModule, ICatalogueModule
{
    public static ChannelDescriptor Descriptor { get; } = ChannelDescriptor.Of<WooCommerceConnectionSettings, WooCommerceConnectionCredentials>(
        SalesChannel.WooCommerce, ChannelKind.Webhook, "/webhooks/woocommerce/{tenantId}/{storeId}",
        "WooCommerce order webhooks (order.created, order.updated), signed with the webhook secret. With siteUrl and a read-only REST API key "
        + "(consumerKey, consumerSecret) the product catalogue's categories and stock are read too.") with
    {
        Rules = CatalogueRule,
    };

    public override SalesChannel Channel => SalesChannel.WooCommerce;

    public override string Path => "woocommerce";

    /// <summary>The key goes as HTTP Basic, which WooCommerce accepts only over HTTPS; a key without a site (or half a key) reads nothing.</summary>
    private static IEnumerable<FieldProblem> CatalogueRule(ConnectionValues values)
    {
        var (site, key, secret) = (ConnectionForm.Name(nameof(WooCommerceConnectionSettings.SiteUrl)),
            ConnectionForm.Name(nameof(WooCommerceConnectionCredentials.ConsumerKey)), ConnectionForm.Name(nameof(WooCommerceConnectionCredentials.ConsumerSecret)));
        if (values.Setting(site) is { } text && SiteUri(text) is null)
        {
            yield return new FieldProblem("settings." + site, $"'{text}' is not an https:// address of the shop, e.g. https://shop.example.com.");
        }

        if ((values.Credential(key) is null) != (values.Credential(secret) is null))
        {
            yield return new FieldProblem("credentials." + (values.Credential(key) is null ? key : secret), "The REST API key needs both its consumer key and its consumer secret (or neither).");
        }
        else if (values.Credential(key) is not null && values.Setting(site) is null)
        {
            yield return new FieldProblem("settings." + site, "The REST API key needs the shop's address to be used.");
        }
    }

    /// <summary>Only the origin of an https URL (a path such as /shop is kept, for WordPress installed below the root).</summary>
    private static Uri? SiteUri(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment)
            ? new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/")
            : null;

    public ICatalogueReader? CreateCatalogueReader(ConnectionValues values, PollerContext context)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(context);
        var site = values.Setting(ConnectionForm.Name(nameof(WooCommerceConnectionSettings.SiteUrl)));
        var key = values.Credential(ConnectionForm.Name(nameof(WooCommerceConnectionCredentials.ConsumerKey)));
        var secret = values.Credential(ConnectionForm.Name(nameof(WooCommerceConnectionCredentials.ConsumerSecret)));
        if (site is null || key is null || secret is null)
        {
            return null;
        }

        // Checked again here, not only where settings are accepted: a connection saved before the rule must not send the key elsewhere.
        var uri = SiteUri(site) ?? throw new InvalidOperationException($"The WooCommerce site '{site}' is not an https:// address.");
        return new WooCommerceCatalogueReader(context.ChannelHttp(), new WooCommerceRestKey(uri, key, secret));
    }

    protected override WebhookVerdict Verify(WebhookDelivery delivery, string secret) =>
        WebhookVerdict.From(WooCommerceWebhookSignature.Verify(delivery.Body.Span, delivery.Headers[WooCommerceHeaders.Signature], secret));

    public override NormalizeResult Normalize(WebhookDelivery delivery, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return WooCommerceOrderNormalizer.Normalize(delivery.Headers[WooCommerceHeaders.Topic], delivery.Body, store);
    }
}
