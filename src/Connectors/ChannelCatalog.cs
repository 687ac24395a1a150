using SalesDash.Connectors.Amazon;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.FacebookAds;
using SalesDash.Connectors.GoogleAds;
using SalesDash.Connectors.GoogleAnalytics;
using SalesDash.Connectors.PayPal;
using SalesDash.Connectors.Shipping;
using SalesDash.Connectors.ShopifyAdmin;
using SalesDash.Connectors.Stripe;
using SalesDash.Connectors.WooCommerce;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors;

/// <summary>Every channel SalesDash can connect, each as its module declares it, for the settings form and for validation.</summary>
public static class ChannelCatalog
{
    public static IReadOnlyList<ChannelDescriptor> All { get; } =
    [
        WooCommerceWebhookModule.Descriptor,
        StripeWebhookModule.Descriptor,
        PayPalWebhookModule.Descriptor,
        EasyPostWebhookModule.Descriptor,
        AmazonPollerModule.Descriptor,
        Ga4PollerModule.Descriptor,
        FacebookAdsPollerModule.Descriptor,
        GoogleAdsPollerModule.Descriptor,
        ShopifyAdminPollerModule.Descriptor,
    ];

    public static ChannelDescriptor? Find(SalesChannel channel) => All.FirstOrDefault(d => d.Channel == channel);
}
