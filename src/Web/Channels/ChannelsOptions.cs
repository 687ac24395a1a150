using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Web.Channels;

/// <summary>Channel connections, pollers and money, bound from the "Channels" configuration section.</summary>
public sealed class ChannelsOptions
{
    public const string Section = "Channels";

    /// <summary>The organisations' reporting currency unless <see cref="ReportingCurrencies"/> names one for the tenant.</summary>
    public string? ReportingCurrency { get; set; }

    /// <summary>Reporting currency per tenant (organisation) id.</summary>
    public Dictionary<string, string> ReportingCurrencies { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Rates written to the rates table at start-up (e.g. a month of ECB reference rates).</summary>
    public List<ExchangeRateSeed> ExchangeRates { get; set; } = [];

    /// <summary>Whether the cluster's poll job runs pollers (off only in tests that drive syncs by hand); "sync now" works either way.</summary>
    public bool SchedulerEnabled { get; set; } = true;

    /// <summary>How often the scheduler looks for connections that are due.</summary>
    public TimeSpan SchedulerTick { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Poll interval for a connection that does not set one.</summary>
    public TimeSpan DefaultPollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How far from now a signed webhook timestamp may be (Stripe, PayPal) before it counts as a replay.</summary>
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromMinutes(5);

    public ChannelEndpoints Endpoints { get; set; } = new();

    public string? ReportingCurrencyFor(string tenantId) =>
        ReportingCurrencies.TryGetValue(tenantId, out var currency) && !string.IsNullOrWhiteSpace(currency) ? currency : ReportingCurrency;
}

/// <summary>One configured rate: <see cref="Rate"/> of <see cref="To"/> per unit of <see cref="From"/> on <see cref="Date"/>.</summary>
public sealed class ExchangeRateSeed
{
    public string From { get; set; } = "";
    public string To { get; set; } = "";
    public DateOnly Date { get; set; }
    public decimal Rate { get; set; }
    public string Source { get; set; } = "configuration";
}

/// <summary>Whether a channel pushes (webhooks) or is read on a schedule.</summary>
public enum ChannelKind
{
    Webhook,
    Poller,
}

/// <summary>What connecting a channel takes: the settings and the secret credentials the form must ask for.</summary>
/// <param name="WebhookPath">Where the channel must post, with {tenantId}/{storeId} to fill in; null for pollers.</param>
public sealed record ChannelDescriptor(
    SalesChannel Channel, ChannelKind Kind, IReadOnlyList<string> RequiredSettings, IReadOnlyList<string> OptionalSettings,
    IReadOnlyList<string> Credentials, string? WebhookPath, string Description)
{
    /// <summary>Secrets the channel can use but does not need (PayPal's REST app, for online verification).</summary>
    public IReadOnlyList<string> OptionalCredentials { get; init; } = [];
}

/// <summary>Every channel SalesDash can connect, for the settings form and for validation.</summary>
public static class ChannelCatalog
{
    public static IReadOnlyList<ChannelDescriptor> All { get; } =
    [
        new(SalesChannel.WooCommerce, ChannelKind.Webhook, [], [], ["webhookSecret"], "/webhooks/woocommerce/{tenantId}/{storeId}",
            "WooCommerce order webhooks (order.created, order.updated), signed with the webhook secret."),
        new(SalesChannel.Stripe, ChannelKind.Webhook, [], [], ["webhookSecret"], "/webhooks/stripe/{tenantId}/{storeId}",
            "Stripe events (charge.succeeded, charge.captured, refund.created, charge.refunded), signed with the endpoint secret (whsec_...)."),
        new(SalesChannel.PayPal, ChannelKind.Webhook, ["webhookId"], ["environment"], [], "/webhooks/paypal/{tenantId}/{storeId}",
            "PayPal webhooks (PAYMENT.CAPTURE.COMPLETED, PAYMENT.CAPTURE.REFUNDED). With the REST app's client id and secret they are verified "
            + "by PayPal (verify-webhook-signature); without, offline with PayPal's certificate and the webhook id. environment is live (default) or sandbox.")
        {
            OptionalCredentials = ["clientId", "clientSecret"],
        },
        new(SalesChannel.Shipping, ChannelKind.Webhook, [], [], ["webhookSecret"], "/webhooks/shipping/easypost/{tenantId}/{storeId}",
            "EasyPost tracker events, signed with the webhook secret."),
        new(SalesChannel.Amazon, ChannelKind.Poller, ["marketplaceIds"], ["region", "since"], ["clientId", "clientSecret", "refreshToken"], null,
            "Amazon Selling Partner API orders; region is na, eu or fe; marketplaceIds is a comma-separated list."),
        new(SalesChannel.GoogleAnalytics, ChannelKind.Poller, ["propertyId"], ["timeZone", "since", "conversionMetric"], ["clientId", "clientSecret", "refreshToken"], null,
            "GA4 sessions, users, traffic source and conversions per hour."),
        new(SalesChannel.FacebookAds, ChannelKind.Poller, ["adAccountId"], ["timeZone", "since"], ["accessToken"], null,
            "Meta ads spend, clicks and impressions per campaign per day."),
        new(SalesChannel.GoogleAds, ChannelKind.Poller, ["customerId"], ["loginCustomerId", "timeZone", "since"], ["developerToken", "clientId", "clientSecret", "refreshToken"], null,
            "Google Ads spend, clicks and impressions per campaign per day."),
        new(SalesChannel.Shopify, ChannelKind.Poller, [], ["shopDomain", "since"], ["accessToken"], null,
            "Shopify Admin API backfill and reconciliation of orders and refunds (webhooks stay the live path)."),
    ];

    public static ChannelDescriptor? Find(SalesChannel channel) => All.FirstOrDefault(d => d.Channel == channel);
}
