using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SalesDash.Connectors.Currency;
using SalesDash.Connectors.PayPal;
using SalesDash.Connectors.Polling;
using SalesDash.Engine.Clustering;
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
        services.TryAddSingleton<IExchangeRates, EfExchangeRates>();
        services.TryAddSingleton<ICursorStore, EfCursorStore>();
        services.TryAddSingleton<IPayPalCertificateFetcher>(sp => new HttpPayPalCertificateFetcher(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName)));
        services.TryAddSingleton(sp => new PayPalWebhookVerifier(sp.GetRequiredService<IPayPalCertificateFetcher>()));
        services.TryAddSingleton(sp => new PayPalOnlineVerifier(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ChannelEventPublisher>();
        services.TryAddSingleton<ChannelPollerFactory>();
        services.TryAddSingleton<ChannelSyncRunner>();
        services.AddHostedService<ExchangeRateSeeder>();
        // Polled by the cluster-jobs singleton: one node polls each connection, however many run.
        services.AddClusterJob<ChannelSyncService>();
        return services;
    }

    /// <summary>The channel webhooks under one group (e.g. /webhooks).</summary>
    public static RouteGroupBuilder MapChannelWebhooks(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        global::SalesDash.Web.Webhooks.WooCommerceWebhookEndpoint.Map(group);
        global::SalesDash.Web.Webhooks.StripeWebhookEndpoint.Map(group);
        global::SalesDash.Web.Webhooks.PayPalWebhookEndpoint.Map(group);
        global::SalesDash.Web.Webhooks.ShippingWebhookEndpoint.Map(group);
        return group;
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
