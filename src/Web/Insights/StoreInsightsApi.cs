using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Forecasts;
using SalesDash.Engine.Insights;
using SalesDash.Engine.Stores;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Alerts;

/// <summary>What changed and what to expect, per store: GET /api/stores/{t}/{s}/forecast and /insights.</summary>
public static class StoreInsightsApi
{
    /// <summary>The forecast and insight services; both read the history store.</summary>
    public static IServiceCollection AddStoreInsights(this IServiceCollection services)
    {
        services.AddSingleton<RevenueForecastService>();
        services.AddSingleton<InsightService>();
        return services;
    }

    /// <summary>Maps the routes under <paramref name="stores"/> (the "/api/stores" group).</summary>
    public static RouteGroupBuilder MapStoreInsightsApi(this RouteGroupBuilder stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        stores.MapGet("/{tenantId}/{storeId}/forecast", ForecastAsync).WithName("GetStoreForecast").RequireOrgRole(OrgRole.Viewer)
            .RequirePlanFeature(PlanFeature.AdvancedAnalytics);
        stores.MapGet("/{tenantId}/{storeId}/insights", InsightsAsync).WithName("GetStoreInsights").RequireOrgRole(OrgRole.Viewer);
        return stores;
    }

    private static async Task<Results<Ok<RevenueForecast>, ProblemHttpResult>> ForecastAsync(
        string tenantId, string storeId, IStoreDirectory stores, RevenueForecastService forecasts, CancellationToken cancellationToken) =>
        await stores.GetAsync(new StoreRef(tenantId, storeId), cancellationToken) is { } store
            ? TypedResults.Ok(await forecasts.ForecastAsync(store, cancellationToken))
            : NoStore(tenantId, storeId);

    private static async Task<Results<Ok<StoreInsights>, ProblemHttpResult>> InsightsAsync(
        string tenantId, string storeId, IStoreDirectory stores, InsightService insights, CancellationToken cancellationToken) =>
        await stores.GetAsync(new StoreRef(tenantId, storeId), cancellationToken) is { } store
            ? TypedResults.Ok(await insights.GenerateAsync(store, cancellationToken))
            : NoStore(tenantId, storeId);

    private static ProblemHttpResult NoStore(string tenantId, string storeId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown store", detail: $"There is no store '{storeId}' in '{tenantId}'.");
}
