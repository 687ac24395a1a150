using System.Globalization;
using Microsoft.Extensions.Options;
using SalesDash.Connectors.Amazon;
using SalesDash.Connectors.FacebookAds;
using SalesDash.Connectors.GoogleAds;
using SalesDash.Connectors.GoogleAnalytics;
using SalesDash.Connectors.Polling;
using SalesDash.Connectors.Shopify;
using SalesDash.Connectors.ShopifyAdmin;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Web.Channels;

/// <summary>Builds the poller for a connection from its settings, its decrypted credentials and the configured endpoints.</summary>
public sealed class ChannelPollerFactory(IHttpClientFactory clients, ICursorStore cursors, TimeProvider time, IOptions<ChannelsOptions> options)
{
    /// <summary>How far back a first poll reaches when the connection does not say ("since").</summary>
    private static readonly TimeSpan DefaultBackfill = TimeSpan.FromDays(7);

    public IChannelPoller Create(ChannelConnection connection, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(store);
        var endpoints = options.Value.Endpoints;
        var http = clients.CreateClient(ChannelsHosting.HttpClientName);
        var channelHttp = new ChannelHttp(http, time);
        var settings = connection.Settings;
        var secrets = connection.Credentials;
        var since = Since(settings);
        var zone = Setting(settings, "timeZone") ?? store.TimeZone;

        return connection.Channel switch
        {
            SalesChannel.Amazon => new AmazonOrdersPoller(channelHttp,
                Refreshing(http, endpoints.AmazonToken, secrets),
                new AmazonSettings(
                    (Setting(settings, "region") ?? "na").ToLowerInvariant() switch
                    {
                        "eu" => endpoints.AmazonEurope,
                        "fe" => endpoints.AmazonFarEast,
                        _ => endpoints.AmazonNorthAmerica,
                    },
                    Required(settings, "marketplaceIds").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    since),
                store, cursors, time),
            SalesChannel.GoogleAnalytics => new Ga4TrafficPoller(channelHttp,
                Refreshing(http, endpoints.GoogleToken, secrets),
                new Ga4Settings(endpoints.GoogleAnalyticsData, Required(settings, "propertyId"), zone, DateOnly.FromDateTime(since.UtcDateTime),
                    ConversionMetric: Setting(settings, "conversionMetric") ?? "keyEvents"),
                store, cursors, time),
            SalesChannel.FacebookAds => new FacebookInsightsPoller(http,
                new StaticAccessToken(Required(secrets, "accessToken")),
                new FacebookAdsSettings(endpoints.FacebookGraph, endpoints.FacebookApiVersion, Required(settings, "adAccountId").Replace("act_", string.Empty, StringComparison.Ordinal),
                    zone, DateOnly.FromDateTime(since.UtcDateTime)),
                store, cursors, time),
            SalesChannel.GoogleAds => new GoogleAdsSpendPoller(channelHttp,
                Refreshing(http, endpoints.GoogleToken, secrets),
                new GoogleAdsSettings(endpoints.GoogleAds, endpoints.GoogleAdsApiVersion, Required(settings, "customerId").Replace("-", string.Empty, StringComparison.Ordinal),
                    Setting(settings, "loginCustomerId")?.Replace("-", string.Empty, StringComparison.Ordinal), Required(secrets, "developerToken"), zone,
                    DateOnly.FromDateTime(since.UtcDateTime)),
                store, cursors, time),
            SalesChannel.Shopify => new ShopifyBackfillPoller(channelHttp,
                new StaticAccessToken(Required(secrets, "accessToken")),
                new ShopifyAdminSettings(ShopUri(Setting(settings, "shopDomain") ?? store.ShopDomain), endpoints.ShopifyApiVersion, since),
                store, cursors),
            _ => throw new InvalidOperationException($"{connection.Channel} is a webhook channel; it has no poller."),
        };
    }

    /// <summary>
    /// The shop's Admin API origin. Checked again here, not only where settings are accepted: a store or connection saved
    /// before the rule existed must not aim the backfill at another host.
    /// </summary>
    private static Uri ShopUri(string shopDomain) =>
        ShopifyShopDomain.TryNormalise(shopDomain, out var domain)
            ? new Uri("https://" + domain)
            : throw new InvalidOperationException(ShopifyShopDomain.Rule(shopDomain));

    private DateTimeOffset Since(IReadOnlyDictionary<string, string> settings) =>
        Setting(settings, "since") is { } text
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToUniversalTime()
            : time.GetUtcNow() - DefaultBackfill;

    private RefreshTokenSource Refreshing(HttpClient http, Uri tokenEndpoint, IReadOnlyDictionary<string, string> secrets) =>
        new(http, tokenEndpoint, Required(secrets, "clientId"), Required(secrets, "clientSecret"), Required(secrets, "refreshToken"), time);

    private static string? Setting(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static string Required(IReadOnlyDictionary<string, string> values, string key) =>
        Setting(values, key) ?? throw new InvalidOperationException($"The connection has no '{key}'.");
}
