using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SalesDash.Connectors.Currency;
using SalesDash.Engine.Clustering;
using SalesDash.Web.Identity;
using SalesDash.Web.Outbound;

namespace SalesDash.Web.ExchangeRates;

/// <summary>The rates in use: the latest per currency pair, and how the refresh from the provider last went.</summary>
/// <param name="Refresh">Null when no provider is configured or none has been read yet.</param>
public sealed record ExchangeRatesView(bool RefreshConfigured, ExchangeRateRefreshStatus? Refresh, IReadOnlyList<ExchangeRate> Rates);

/// <summary>Wires the exchange-rate refresh (a cluster job) and its read API.</summary>
public static class ExchangeRatesHosting
{
    public static IServiceCollection AddExchangeRateRefresh(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ExchangeRateRefreshOptions>()
            .Bind(configuration.GetSection(ExchangeRateRefreshOptions.Section))
            .Validate(o => o.ProviderUrl is null || (o.ProviderUrl.IsAbsoluteUri && o.ProviderUrl.Scheme is "http" or "https"),
                "ExchangeRates:ProviderUrl must be an absolute http(s) URL.")
            .Validate(o => o.Interval >= TimeSpan.FromMinutes(1), "ExchangeRates:Interval must be at least a minute.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Source), "ExchangeRates:Source must name where the rates come from.")
            .ValidateOnStart();
        services.AddOutboundHttpClient(ExchangeRateRefreshJob.HttpClientName, (_, client) => client.Timeout = TimeSpan.FromSeconds(30));
        services.TryAddSingleton<ExchangeRateRefreshJob>();
        if (configuration.GetValue<Uri?>(ExchangeRateRefreshOptions.Section + ":" + nameof(ExchangeRateRefreshOptions.ProviderUrl)) is not null)
        {
            // One node reads the provider for the whole cluster; the rates table is shared through the app database.
            services.AddSingleton<IClusterJob>(sp => sp.GetRequiredService<ExchangeRateRefreshJob>());
        }

        return services;
    }

    public static RouteGroupBuilder MapExchangeRatesApi(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.MapGet("/exchange-rates", GetAsync).WithName("GetExchangeRates").RequireOrgRole(OrgRole.Viewer);
        return group;
    }

    private static async Task<Ok<ExchangeRatesView>> GetAsync(IExchangeRates rates, ExchangeRateRefreshJob refresh, CancellationToken cancellationToken)
    {
        var all = await rates.ListAsync(cancellationToken);
        var latest = all.GroupBy(r => (r.From, r.To)).Select(g => g.MaxBy(r => r.Date)!).ToList();
        var status = await refresh.StatusAsync(cancellationToken);
        return TypedResults.Ok(new ExchangeRatesView(refresh.IsConfigured, status, latest));
    }
}
