using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Forecasts;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights;
using SalesDash.Engine.Stores;
using SalesDash.Web.Alerts;
using SalesDash.Web.History;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Dashboards;

/// <summary>One order of the live order feed, as the widget lists it.</summary>
public sealed record RecentOrderView(
    string StoreId, string OrderId, DateTimeOffset PlacedAt, decimal Total, string Currency, string Channel, string Country, int Units, bool Cancelled);

/// <summary>The newest orders of a store, newest first.</summary>
public sealed record RecentOrdersResponse(string TenantId, string StoreId, string Currency, string TimeZone, IReadOnlyList<RecentOrderView> Orders);

/// <summary>
/// What every wallboard read binds: the share token and the store in the route, checked against the token's
/// dashboard, and the response marked no-store (a wall polls these; once a link is revoked no cache may answer).
/// </summary>
internal sealed record WallStore(string Token, string TenantId, string StoreId, WallAccess Access, HttpContext Http, CancellationToken CancellationToken)
{
    /// <summary>The store when the link shows it, else null (answered "Not on this wallboard").</summary>
    public Task<StoreProfile?> AuthorizeAsync()
    {
        Http.Response.Headers.CacheControl = "no-store";
        return Access.AuthorizeStoreAsync(Token, new StoreRef(TenantId, StoreId), CancellationToken);
    }
}

/// <summary>
/// The data of the widgets that read history rather than the live tiles: top products, orders by country, the
/// live order feed, and (for a wall) the alerts list and the forecast. The feed has a signed-in route on the store-scoped group; a wallboard has no sign-in,
/// so it reads the same figures through its share token, and only for the stores its dashboard shows.
/// </summary>
public static class WidgetDataApi
{
    /// <summary>How many alerts a wall lists by default, and at most: as many as the order feed.</summary>
    public const int DefaultFeedLength = OrderFeed.DefaultLength;

    public const int MaxFeedLength = OrderFeed.MaxLength;

    /// <summary>Top products shows ten by default; the countries of a day are far fewer than this cap.</summary>
    public const int MaxRows = 300;

    /// <summary>Maps the feed on the store-scoped group (the old /api/history/{t}/{s}/orders/recent moved there).</summary>
    public static RouteGroupBuilder MapOrderFeedApi(this RouteGroupBuilder store, IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.MapGet("/orders/recent", RecentOrdersAsync).WithName("GetRecentOrders");
        app.MapMovedStoreRoute("/api/history", "orders/recent");
        return store;
    }

    /// <summary>Maps the token-scoped reads under /api/wall/{token}/stores/{tenantId}/{storeId}.</summary>
    public static RouteGroupBuilder MapWidgetDataApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var wall = api.MapGroup("/wall/{token}/stores/{tenantId}/{storeId}").AllowAnonymous();
        wall.MapGet("/top-products", WallTopProductsAsync).WithName("GetWallTopProducts");
        wall.MapGet("/countries", WallCountriesAsync).WithName("GetWallCountries");
        wall.MapGet("/orders/recent", WallRecentOrdersAsync).WithName("GetWallRecentOrders");
        wall.MapGet("/alerts", WallAlertsAsync).WithName("GetWallAlerts");
        wall.MapGet("/forecast", WallForecastAsync).WithName("GetWallForecast");
        wall.MapGet("/insights", WallInsightsAsync).WithName("GetWallInsights");
        return api;
    }

    private static async Task<Results<Ok<RecentOrdersResponse>, ProblemHttpResult>> RecentOrdersAsync(
        CurrentStore store, int? limit, OrderFeed feed, CancellationToken cancellationToken) =>
        (await feed.RecentAsync(store.Profile, limit, cancellationToken)).ToResult();

    private static async Task<Results<Ok<HistoryBreakdownResponse>, ProblemHttpResult>> WallTopProductsAsync(
        [AsParameters] WallStore wall, string? rank, int? limit, HistoryQueries history)
    {
        if (await wall.AuthorizeAsync() is not { } store)
        {
            return NotShown();
        }

        var rankBy = rank switch
        {
            null or "revenue" => BreakdownMetric.Revenue,
            "units" => BreakdownMetric.Units,
            _ => (BreakdownMetric?)null,
        };
        if (rankBy is null)
        {
            return Bad($"rank '{rank}' is not one of revenue, units.");
        }

        if (limit is < 1 or > MaxRows)
        {
            return Bad($"limit must be between 1 and {MaxRows}.");
        }

        return TypedResults.Ok(await TodayAsync(store, BreakdownDimension.Product, rankBy.Value, limit ?? 10, history, wall.CancellationToken));
    }

    private static async Task<Results<Ok<HistoryBreakdownResponse>, ProblemHttpResult>> WallCountriesAsync(
        [AsParameters] WallStore wall, HistoryQueries history) =>
        await wall.AuthorizeAsync() is { } store
            ? TypedResults.Ok(await TodayAsync(store, BreakdownDimension.Country, BreakdownMetric.Revenue, MaxRows, history, wall.CancellationToken))
            : NotShown();

    private static async Task<Results<Ok<RecentOrdersResponse>, ProblemHttpResult>> WallRecentOrdersAsync(
        [AsParameters] WallStore wall, int? limit, OrderFeed feed) =>
        await wall.AuthorizeAsync() is { } store
            ? (await feed.RecentAsync(store, limit, wall.CancellationToken)).ToResult()
            : NotShown();

    /// <summary>The store's alerts, newest first, as the signed-in alerts list shows them (src/Web/Alerts).</summary>
    private static async Task<Results<Ok<IReadOnlyList<AlertView>>, ProblemHttpResult>> WallAlertsAsync(
        [AsParameters] WallStore wall, int? limit, IAlertStore alerts)
    {
        if (await wall.AuthorizeAsync() is null)
        {
            return NotShown();
        }

        if (limit is < 1 or > MaxFeedLength)
        {
            return Bad($"limit must be between 1 and {MaxFeedLength}.");
        }

        IReadOnlyList<AlertView> list = [.. (await alerts.ListAlertsAsync(wall.TenantId, null, wall.StoreId, limit ?? DefaultFeedLength, wall.CancellationToken)).Select(AlertView.Of)];
        return TypedResults.Ok(list);
    }

    /// <summary>The store's revenue forecast, the same answer as GET /api/tenants/{t}/stores/{s}/forecast (src/Web/Forecasts).</summary>
    private static async Task<Results<Ok<RevenueForecast>, ProblemHttpResult>> WallForecastAsync(
        [AsParameters] WallStore wall, RevenueForecastService forecasts, IPlanService plans)
    {
        if (await wall.AuthorizeAsync() is not { } store)
        {
            return NotShown();
        }

        // Checked after the link, so a stranger learns nothing of an organisation's plan: a forecast is advanced analytics (Scale).
        return PlanLimitProblems.Feature(await plans.GetLimitsAsync(wall.TenantId, wall.CancellationToken), PlanFeature.AdvancedAnalytics) is { } refused
            ? refused
            : TypedResults.Ok(await forecasts.ForecastAsync(store, wall.CancellationToken));
    }

    /// <summary>The store's insights, the same answer as GET /api/tenants/{t}/stores/{s}/insights (src/Web/Insights).</summary>
    private static async Task<Results<Ok<StoreInsights>, ProblemHttpResult>> WallInsightsAsync(
        [AsParameters] WallStore wall, InsightService insights) =>
        await wall.AuthorizeAsync() is { } store
            ? TypedResults.Ok(await insights.GenerateAsync(store, wall.CancellationToken))
            : NotShown();

    /// <summary>Today in the store's own zone, as the wall's live tiles count it, without a comparison.</summary>
    private static async Task<HistoryBreakdownResponse> TodayAsync(
        StoreProfile store, BreakdownDimension by, BreakdownMetric rankBy, int limit, HistoryQueries history, CancellationToken cancellationToken)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(store.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var request = new HistoryRequest(HistoryScope.Store(store.Store.TenantId, store.Store.StoreId), zone, PeriodKind.Today, ComparisonKind.None);
        var breakdown = await history.BreakdownAsync(request, by, rankBy, limit, cancellationToken);
        return new HistoryBreakdownResponse(store.Store.TenantId, store.Store.StoreId, store.Currency, breakdown.TimeZone,
            by.ToString().ToLowerInvariant(), rankBy.ToString().ToLowerInvariant(), breakdown.Period, breakdown.Comparison, breakdown.TotalGroups, breakdown.Rows);
    }

    private static ProblemHttpResult NotShown() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not on this wallboard",
            detail: "This link does not show that store, or the link is no longer valid.");

    private static ProblemHttpResult Bad(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid widget query", detail: detail);
}
