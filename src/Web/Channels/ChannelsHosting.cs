using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SalesDash.Connectors.Amazon;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Currency;
using SalesDash.Connectors.FacebookAds;
using SalesDash.Connectors.GoogleAds;
using SalesDash.Connectors.GoogleAnalytics;
using SalesDash.Connectors.PayPal;
using SalesDash.Connectors.Polling;
using SalesDash.Connectors.Shipping;
using SalesDash.Connectors.Shopify;
using SalesDash.Connectors.ShopifyAdmin;
using SalesDash.Connectors.Stripe;
using SalesDash.Connectors.WooCommerce;
using SalesDash.Engine.Clustering;
using SalesDash.Engine.Ingestion;
using SalesDash.Web.AppData;
using SalesDash.Web.Outbound;

namespace SalesDash.Web.Channels;

/// <summary>
/// Wires channel connections: encrypted connection store (Data Protection key ring in the app database), rates
/// table seeded from configuration, cursor store, pollers with their HttpClient, the scheduler, and PayPal's verifier.
/// Everything lives in the app database.
/// </summary>
public static class ChannelsHosting
{
    /// <summary>The named HttpClient every channel call goes through (tests swap its handler for local fakes).</summary>
    public const string HttpClientName = "SalesDash.Channels";

    public static IServiceCollection AddChannels(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<ChannelsOptions>()
            .Bind(configuration.GetSection(ChannelsOptions.Section))
            .Validate(o => o.SchedulerTick > TimeSpan.Zero, "Channels:SchedulerTick must be positive.")
            .Validate(o => o.DefaultPollInterval >= TimeSpan.FromMinutes(1), "Channels:DefaultPollInterval must be at least a minute.")
            .Validate(o => o.ExchangeRates.All(r => r.Rate > 0 && r.From.Length == 3 && r.To.Length == 3),
                "Channels:ExchangeRates entries need three-letter From/To codes and a positive Rate.")
            .ValidateOnStart();

        // Credentials are encrypted with Data Protection; its key ring is shared by the nodes (see IdentityHosting).
        services.AddDataProtection().SetApplicationName("SalesDash");

        // Shop domains and certificate URLs come from tenants and webhooks: every channel call goes through the outbound policy.
        services.AddOutboundHttpClient(HttpClientName, (_, client) => client.Timeout = TimeSpan.FromSeconds(60));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IChannelConnectionStore, EfChannelConnectionStore>();
        // Every conversion asks for a day's rate, which rarely changes: rates found are remembered for seconds, and writes
        // through this service (the daily refresh, an Admin's edit) are used by this node's next conversion at once.
        services.TryAddSingleton<IExchangeRates>(sp =>
            new RecentExchangeRates(ActivatorUtilities.CreateInstance<EfExchangeRates>(sp), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ICursorStore, EfCursorStore>();
        services.TryAddSingleton<IPayPalCertificateFetcher>(sp => new HttpPayPalCertificateFetcher(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName)));
        services.TryAddSingleton(sp => new PayPalWebhookVerifier(sp.GetRequiredService<IPayPalCertificateFetcher>()));
        services.TryAddSingleton(sp => new PayPalOnlineVerifier(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName), sp.GetRequiredService<TimeProvider>()));
        // The one ingestion door, with the reporting currency configured here.
        services.TryAddSingleton<IReportingCurrencySource, ConfiguredReportingCurrency>();
        services.TryAddSingleton<IngestionPipeline>();
        // One module per polled channel (Connectors/<Channel>/), each binding its typed connection.
        services.AddSingleton<IPollerModule, AmazonPollerModule>();
        services.AddSingleton<IPollerModule, Ga4PollerModule>();
        services.AddSingleton<IPollerModule, FacebookAdsPollerModule>();
        services.AddSingleton<IPollerModule, GoogleAdsPollerModule>();
        services.AddSingleton<IPollerModule, ShopifyAdminPollerModule>();
        services.TryAddSingleton<ChannelPollerFactory>();
        services.TryAddSingleton<ChannelSyncRunner>();
        // One module per webhook channel (Connectors/<Channel>/), behind the one webhook endpoint.
        services.AddSingleton<IWebhookModule, ShopifyWebhookModule>();
        services.AddSingleton<IWebhookModule, WooCommerceWebhookModule>();
        services.AddSingleton<IWebhookModule>(sp => new StripeWebhookModule(sp.GetRequiredService<IOptions<ChannelsOptions>>().Value.WebhookTolerance));
        services.AddSingleton<IWebhookModule>(sp =>
        {
            var channels = sp.GetRequiredService<IOptions<ChannelsOptions>>().Value;
            return new PayPalWebhookModule(sp.GetRequiredService<PayPalWebhookVerifier>(), sp.GetRequiredService<PayPalOnlineVerifier>(),
                channels.Endpoints.PayPal, channels.Endpoints.PayPalSandbox, channels.WebhookTolerance);
        });
        services.AddSingleton<IWebhookModule, EasyPostWebhookModule>();
        services.TryAddSingleton<SalesDash.Web.Webhooks.WebhookDoor>();
        services.AddHostedService<ExchangeRateSeeder>();
        // Polled by the cluster-jobs singleton: one node polls each connection, however many run.
        services.AddClusterJob<ChannelSyncService>();
        return services;
    }
}

/// <summary>Writes the configured exchange rates into the rates table before traffic arrives.</summary>
internal sealed class ExchangeRateSeeder(IExchangeRates rates, IOptions<ChannelsOptions> options, ILogger<ExchangeRateSeeder> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var seed in options.Value.ExchangeRates)
        {
            await rates.UpsertAsync(new ExchangeRate(seed.From.ToUpperInvariant(), seed.To.ToUpperInvariant(), seed.Date, seed.Rate, seed.Source), cancellationToken);
        }

        if (options.Value.ExchangeRates.Count > 0)
        {
            log.LogInformation("{Count} exchange rate(s) seeded from configuration", options.Value.ExchangeRates.Count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The reporting currency from the Channels section (per organisation, else the default).</summary>
internal sealed class ConfiguredReportingCurrency(IOptionsMonitor<ChannelsOptions> options) : IReportingCurrencySource
{
    public string? For(string tenantId) => options.CurrentValue.ReportingCurrencyFor(tenantId);
}
