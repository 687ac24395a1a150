using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Engine.Forecasts;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Forecasts;

/// <summary>What to expect, per store: GET {store}/forecast on the store-scoped group (plans with advanced analytics).</summary>
public static class ForecastsApi
{
    /// <summary>The forecast service; it reads the history store.</summary>
    public static IServiceCollection AddForecasts(this IServiceCollection services)
    {
        services.AddSingleton<RevenueForecastService>();
        return services;
    }

    /// <summary>Maps GET /forecast on the store-scoped group, and moves the old /api/stores/{t}/{s}/forecast there.</summary>
    public static RouteGroupBuilder MapForecastsApi(this RouteGroupBuilder store, IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.MapGet("/forecast", ForecastAsync).WithName("GetStoreForecast").RequirePlanFeature(PlanFeature.AdvancedAnalytics);
        app.MapMovedStoreRoute("/api/stores", "forecast");
        return store;
    }

    private static async Task<Ok<RevenueForecast>> ForecastAsync(CurrentStore store, RevenueForecastService forecasts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await forecasts.ForecastAsync(store.Profile, cancellationToken));
}
