using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Forecasts;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights;
using SalesDash.Engine.Stores;
using SalesDash.Web.Alerts;
using SalesDash.Web.Api;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Dashboards;

/// <summary>One order of the live order feed, as the widget lists it.</summary>
public sealed record RecentOrderView(
    string StoreId, string OrderId, DateTimeOffset PlacedAt, decimal Total, string Currency, string Channel, string Country, int Units, bool Cancelled);

/// <summary>The newest orders of a store, newest first.</summary>
public sealed record RecentOrdersResponse(string TenantId, string StoreId, string Currency, string TimeZone, IReadOnlyList<RecentOrderView> Orders);

/// <summary>
/// The data of the widgets that read history rather than the live tiles: top products, orders by country, the
/// live order feed, and (for a wall) the alerts list and the forecast. The feed has a signed-in route beside the other history endpoints; a wallboard has no sign-in,
/// so it reads the same figures through its share token, and only for the stores its dashboard shows.
/// </summary>
public static class WidgetDataApi
{
    /// <summary>How many orders the feed shows by default, and at most.</summary>
    public const int DefaultFeedLength = 20;

    public const int MaxFeedLength = 100;

    /// <summary>Top products shows ten by default; the countries of a day are far fewer than this cap.</summary>
    public const int MaxRows = 300;

    /// <summary>
    /// The feed looks back a week: enough for a quiet store to still show its last orders, bounded so the query
    /// never scans all history. The hour ahead lets an order stamped by a slightly fast shop clock show at once.
    /// </summary>
    private static readonly TimeSpan FeedLookBack = TimeSpan.FromDays(7);

    private static readonly TimeSpan FeedLookAhead = TimeSpan.FromHours(1);

    /// <summary>Maps the feed under /api/history and the token-scoped reads under /api/wall/{token}/stores/{tenantId}/{storeId}.</summary>
    public static RouteGroupBuilder MapWidgetDataApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/history/{tenantId}/{storeId}/orders/recent", RecentOrdersAsync).WithName("GetRecentOrders").RequireOrgRole(OrgRole.Viewer);
        var wall = api.MapGroup("/wall/{token}/stores/{tenantId}/{storeId}").AllowAnonymous();
        wall.MapGet("/top-products", WallTopProductsAsync).WithName("GetWallTopProducts");
        wall.MapGet("/countries", WallCountriesAsync).WithName("GetWallCountries");
        wall.MapGet("/orders/recent", WallRecentOrdersAsync).WithName("GetWallRecentOrders");
        wall.MapGet("/alerts", WallAlertsAsync).WithName("GetWallAlerts");
        wall.MapGet("/forecast", WallForecastAsync).WithName("GetWallForecast");
        wall.MapGet("/insights", WallInsightsAsync).WithName("GetWallInsights");
        return api;
    }

    internal static async Task<Results<Ok<RecentOrdersResponse>, ProblemHttpResult>> RecentOrdersAsync(
        string tenantId, string storeId, int? limit, IStoreDirectory stores, IHistoryStore history, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var store = await stores.GetAsync(new StoreRef(tenantId, storeId), cancellationToken);
        return store is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown store", detail: $"There is no store '{storeId}' in '{tenantId}'.")
            : await FeedAsync(store, limit, history, time, cancellationToken);
    }

    private static async Task<Results<Ok<HistoryBreakdownResponse>, ProblemHttpResult>> WallTopProductsAsync(
        string token, string tenantId, string storeId, string? rank, int? limit, WallAccess access, HistoryQueries history, HttpContext http,
        CancellationToken cancellationToken)
    {
        NoStore(http);
        if (await access.AuthorizeStoreAsync(token, new StoreRef(tenantId, storeId), cancellationToken) is not { } store)
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

        return TypedResults.Ok(await TodayAsync(store, BreakdownDimension.Product, rankBy.Value, limit ?? 10, history, cancellationToken));
    }

    private static async Task<Results<Ok<HistoryBreakdownResponse>, ProblemHttpResult>> WallCountriesAsync(
        string token, string tenantId, string storeId, WallAccess access, HistoryQueries history, HttpContext http, CancellationToken cancellationToken)
    {
        NoStore(http);
        return await access.AuthorizeStoreAsync(token, new StoreRef(tenantId, storeId), cancellationToken) is { } store
            ? TypedResults.Ok(await TodayAsync(store, BreakdownDimension.Country, BreakdownMetric.Revenue, MaxRows, history, cancellationToken))
            : NotShown();
    }

    private static async Task<Results<Ok<RecentOrdersResponse>, ProblemHttpResult>> WallRecentOrdersAsync(
        string token, string tenantId, string storeId, int? limit, WallAccess access, IHistoryStore history, TimeProvider time, HttpContext http,
        CancellationToken cancellationToken)
    {
        NoStore(http);
        return await access.AuthorizeStoreAsync(token, new StoreRef(tenantId, storeId), cancellationToken) is { } store
            ? await FeedAsync(store, limit, history, time, cancellationToken)
            : NotShown();
    }

    /// <summary>The store's alerts, newest first, as the signed-in alerts list shows them (src/Web/Alerts).</summary>
    private static async Task<Results<Ok<IReadOnlyList<AlertView>>, ProblemHttpResult>> WallAlertsAsync(
        string token, string tenantId, string storeId, int? limit, WallAccess access, IAlertStore alerts, HttpContext http,
        CancellationToken cancellationToken)
    {
        NoStore(http);
        if (await access.AuthorizeStoreAsync(token, new StoreRef(tenantId, storeId), cancellationToken) is null)
        {
            return NotShown();
        }

        if (limit is < 1 or > MaxFeedLength)
        {
            return Bad($"limit must be between 1 and {MaxFeedLength}.");
        }

        IReadOnlyList<AlertView> list = [.. (await alerts.ListAlertsAsync(tenantId, null, storeId, limit ?? DefaultFeedLength, cancellationToken)).Select(AlertView.Of)];
        return TypedResults.Ok(list);
    }

    /// <summary>The store's revenue forecast, the same answer as GET /api/stores/{t}/{s}/forecast (src/Web/Alerts).</summary>
    private static async Task<Results<Ok<RevenueForecast>, ProblemHttpResult>> WallForecastAsync(
        string token, string tenantId, string storeId, WallAccess access, RevenueForecastService forecasts, IPlanService plans, HttpContext http,
        CancellationToken cancellationToken)
    {
        NoStore(http);
        if (await access.AuthorizeStoreAsync(token, new StoreRef(tenantId, storeId), cancellationToken) is not { } store)
        {
            return NotShown();
        }

        // Checked after the link, so a stranger learns nothing of an organisation's plan: a forecast is advanced analytics (Scale).
        return PlanLimitProblems.Feature(await plans.GetLimitsAsync(tenantId, cancellationToken), PlanFeature.AdvancedAnalytics) is { } refused
            ? refused
            : TypedResults.Ok(await forecasts.ForecastAsync(store, cancellationToken));
    }

    /// <summary>The store's insights, the same answer as GET /api/stores/{t}/{s}/insights (src/Web/Alerts).</summary>
    private static async Task<Results<Ok<StoreInsights>, ProblemHttpResult>> WallInsightsAsync(
        string token, string tenantId, string storeId, WallAccess access, InsightService insights, HttpContext http,
        CancellationToken cancellationToken)
    {
        NoStore(http);
        return await access.AuthorizeStoreAsync(token, new StoreRef(tenantId, storeId), cancellationToken) is { } store
            ? TypedResults.Ok(await insights.GenerateAsync(store, cancellationToken))
            : NotShown();
    }

    private static async Task<Results<Ok<RecentOrdersResponse>, ProblemHttpResult>> FeedAsync(
        StoreProfile store, int? limit, IHistoryStore history, TimeProvider time, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxFeedLength)
        {
            return Bad($"limit must be between 1 and {MaxFeedLength}.");
        }

        var now = time.GetUtcNow();
        var orders = await history.RecentOrdersAsync(
            HistoryScope.Store(store.Store.TenantId, store.Store.StoreId), new HistoryRange(now - FeedLookBack, now + FeedLookAhead),
            limit ?? DefaultFeedLength, cancellationToken);
        return TypedResults.Ok(new RecentOrdersResponse(store.Store.TenantId, store.Store.StoreId, store.Currency, store.TimeZone,
            [.. orders.Select(o => new RecentOrderView(o.StoreId, o.OrderId, o.PlacedAt, o.Total, o.Currency, o.Channel.ToString(), o.Country, o.Units, o.Cancelled))]));
    }

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

    // A wall polls these; once a link is revoked no cache may keep answering for it.
    private static void NoStore(HttpContext http) => http.Response.Headers.CacheControl = "no-store";

    private static ProblemHttpResult NotShown() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not on this wallboard",
            detail: "This link does not show that store, or the link is no longer valid.");

    private static ProblemHttpResult Bad(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid widget query", detail: detail);
}
