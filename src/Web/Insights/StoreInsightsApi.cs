using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Engine.Insights;

namespace SalesDash.Web.Insights;

/// <summary>What changed, in plain language, per store: GET {store}/insights on the store-scoped group.</summary>
public static class StoreInsightsApi
{
    /// <summary>The insight service; it reads the history store.</summary>
    public static IServiceCollection AddStoreInsights(this IServiceCollection services)
    {
        services.AddSingleton<InsightService>();
        return services;
    }

    /// <summary>Maps GET /insights on the store-scoped group, and moves the old /api/stores/{t}/{s}/insights there.</summary>
    public static RouteGroupBuilder MapStoreInsightsApi(this RouteGroupBuilder store, IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.MapGet("/insights", InsightsAsync).WithName("GetStoreInsights");
        app.MapMovedStoreRoute("/api/stores", "insights");
        return store;
    }

    private static async Task<Ok<StoreInsights>> InsightsAsync(CurrentStore store, InsightService insights, CancellationToken cancellationToken) =>
        TypedResults.Ok(await insights.GenerateAsync(store.Profile, cancellationToken));
}
