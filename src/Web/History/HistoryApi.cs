using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using SalesDash.Engine.History;
using SalesDash.Web.Identity;

namespace SalesDash.Web.History;

/// <summary>Query string of every history endpoint; which ones apply depends on the endpoint.</summary>
public sealed record HistoryParameters
{
    /// <summary>today, yesterday, last7 (default), last30, last90, mtd or custom (with From and To; From and To alone mean custom).</summary>
    public string? Period { get; init; }

    /// <summary>previous (default), previous_year or none.</summary>
    public string? Compare { get; init; }

    /// <summary>First local date of a custom period (yyyy-MM-dd); refused beside another period's name.</summary>
    public string? From { get; init; }

    /// <summary>Last local date of a custom period (yyyy-MM-dd), inclusive.</summary>
    public string? To { get; init; }

    /// <summary>minute, hour, day or week; by default hours within two days, days within 92, weeks beyond.</summary>
    public string? Grain { get; init; }

    /// <summary>channel, store, product, source or country.</summary>
    public string? By { get; init; }

    /// <summary>revenue (default), units, orders, refunds or returnrate.</summary>
    public string? Rank { get; init; }

    /// <summary>How many ranked rows to return (1-1000); all by default.</summary>
    public int? Limit { get; init; }

    /// <summary>Tenant-wide queries only: the zone days are cut in; by default the tenant's first store's.</summary>
    public string? TimeZone { get; init; }
}

public sealed record HistorySummaryResponse(
    string TenantId, string? StoreId, string Currency, string TimeZone, PeriodInfo Period, PeriodInfo? Comparison, HistoryKpis Kpis);

public sealed record HistoryTrendResponse(
    string TenantId, string? StoreId, string Currency, string TimeZone, string Grain, PeriodInfo Period, PeriodInfo? Comparison,
    IReadOnlyList<TrendPoint> Points, IReadOnlyList<TrendPoint>? ComparisonPoints);

public sealed record HistoryBreakdownResponse(
    string TenantId, string? StoreId, string Currency, string TimeZone, string By, string RankedBy, PeriodInfo Period,
    PeriodInfo? Comparison, int TotalGroups, IReadOnlyList<BreakdownRow> Rows);

/// <summary>
/// What every store-scoped history handler needs: the store the filter resolved, the reads, the request's token. The
/// services are marked: the compile-time request delegate generator cannot tell a service from a JSON body inside
/// [AsParameters] and would otherwise make these GET endpoints accept only JSON bodies, so routing skipped them.
/// </summary>
internal sealed record StoreHistoryContext([FromServices] CurrentStore Store, [FromServices] HistoryReads Reads, CancellationToken CancellationToken);

/// <summary>
/// "Compared to what, and why": period summaries with deltas, trends and ranked breakdowns from the history store,
/// per store (under the store-scoped group) or across a tenant's stores. Bad input is a 400 problem, an unknown store
/// or tenant a 404 problem. The old /api/history/{t}/... addresses answer 308 to the new ones.
/// </summary>
internal static class HistoryApi
{
    /// <summary>GET {store}/history/summary, /trend and /breakdown on the store-scoped group.</summary>
    public static RouteGroupBuilder MapStoreHistoryApi(this RouteGroupBuilder store)
    {
        var history = store.MapGroup("/history");
        history.MapGet("/summary", SummaryAsync).WithName("GetHistorySummary");
        history.MapGet("/trend", TrendAsync).WithName("GetHistoryTrend");
        history.MapGet("/breakdown", BreakdownAsync).WithName("GetHistoryBreakdown");
        return store;
    }

    /// <summary>GET /api/tenants/{tenantId}/history/breakdown, and the old addresses moved permanently.</summary>
    public static IEndpointRouteBuilder MapTenantHistoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/tenants/{tenantId}/history/breakdown", TenantBreakdownAsync).WithName("GetTenantHistoryBreakdown").RequireOrgRole(OrgRole.Viewer);
        foreach (var read in (string[])["summary", "trend", "breakdown"])
        {
            app.MapMovedStoreRoute("/api/history", read, $"history/{read}");
        }

        app.MapMoved("/api/history/{tenantId}/breakdown", v => $"/api/tenants/{v.Segment("tenantId")}/history/breakdown");
        return app;
    }

    private static async Task<Results<Ok<HistorySummaryResponse>, ProblemHttpResult>> SummaryAsync(
        [AsParameters] StoreHistoryContext context, [AsParameters] HistoryParameters query) =>
        (await context.Reads.SummaryAsync(context.Store.Profile, query, context.CancellationToken)).ToResult();

    private static async Task<Results<Ok<HistoryTrendResponse>, ProblemHttpResult>> TrendAsync(
        [AsParameters] StoreHistoryContext context, [AsParameters] HistoryParameters query) =>
        (await context.Reads.TrendAsync(context.Store.Profile, query, context.CancellationToken)).ToResult();

    private static async Task<Results<Ok<HistoryBreakdownResponse>, ProblemHttpResult>> BreakdownAsync(
        [AsParameters] StoreHistoryContext context, [AsParameters] HistoryParameters query) =>
        (await context.Reads.BreakdownAsync(context.Store.Profile, query, context.CancellationToken)).ToResult();

    private static async Task<Results<Ok<HistoryBreakdownResponse>, ProblemHttpResult>> TenantBreakdownAsync(
        string tenantId, [AsParameters] HistoryParameters query, HistoryReads reads, CancellationToken cancellationToken) =>
        (await reads.TenantBreakdownAsync(tenantId, query, cancellationToken)).ToResult();
}
