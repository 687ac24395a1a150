using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.Stores;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Api;

/// <summary>Query string of every history endpoint; which ones apply depends on the endpoint.</summary>
/// <param name="Period">today, yesterday, last7 (default), last30, last90, mtd or custom (with From and To).</param>
/// <param name="Compare">previous (default), previous_year or none.</param>
/// <param name="From">First local date of a custom period (yyyy-MM-dd).</param>
/// <param name="To">Last local date of a custom period (yyyy-MM-dd), inclusive.</param>
/// <param name="Grain">minute, hour, day or week; by default hours within two days, days within 92, weeks beyond.</param>
/// <param name="By">channel, store, product, source or country.</param>
/// <param name="Rank">revenue (default), units, orders, refunds or returnrate.</param>
/// <param name="Limit">How many ranked rows to return (1-1000); all by default.</param>
/// <param name="TimeZone">Tenant-wide queries only: the zone days are cut in; by default the tenant's first store's.</param>
public sealed record HistoryParameters(
    string? Period = null,
    string? Compare = null,
    string? From = null,
    string? To = null,
    string? Grain = null,
    string? By = null,
    string? Rank = null,
    int? Limit = null,
    string? TimeZone = null);

public sealed record HistorySummaryResponse(
    string TenantId, string? StoreId, string Currency, string TimeZone, PeriodInfo Period, PeriodInfo? Comparison, HistoryKpis Kpis);

public sealed record HistoryTrendResponse(
    string TenantId, string? StoreId, string Currency, string TimeZone, string Grain, PeriodInfo Period, PeriodInfo? Comparison,
    IReadOnlyList<TrendPoint> Points, IReadOnlyList<TrendPoint>? ComparisonPoints);

public sealed record HistoryBreakdownResponse(
    string TenantId, string? StoreId, string Currency, string TimeZone, string By, string RankedBy, PeriodInfo Period,
    PeriodInfo? Comparison, int TotalGroups, IReadOnlyList<BreakdownRow> Rows);

/// <summary>
/// "Compared to what, and why": period summaries with deltas, trends and ranked breakdowns from the history store,
/// per store or across a tenant's stores. Bad input is a 400 problem, an unknown store or tenant a 404 problem.
/// </summary>
internal static class HistoryApi
{
    private const int MaxLimit = 1000;

    public static RouteGroupBuilder MapHistoryApi(this RouteGroupBuilder group)
    {
        group.MapGet("/{tenantId}/{storeId}/summary", SummaryAsync).WithName("GetHistorySummary").RequireOrgRole(OrgRole.Viewer);
        group.MapGet("/{tenantId}/{storeId}/trend", TrendAsync).WithName("GetHistoryTrend").RequireOrgRole(OrgRole.Viewer);
        group.MapGet("/{tenantId}/{storeId}/breakdown", BreakdownAsync).WithName("GetHistoryBreakdown").RequireOrgRole(OrgRole.Viewer);
        group.MapGet("/{tenantId}/breakdown", TenantBreakdownAsync).WithName("GetTenantHistoryBreakdown").RequireOrgRole(OrgRole.Viewer);
        return group;
    }

    internal static async Task<Results<Ok<HistorySummaryResponse>, ProblemHttpResult>> SummaryAsync(
        string tenantId, string storeId, [AsParameters] HistoryParameters query, IStoreDirectory stores, HistoryQueries history,
        CancellationToken cancellationToken)
    {
        var store = await stores.GetAsync(new StoreRef(tenantId, storeId), cancellationToken);
        if (store is null)
        {
            return UnknownStore(tenantId, storeId);
        }

        if (Parse(query, HistoryScope.Store(tenantId, storeId), store.TimeZone) is not { } request)
        {
            return BadPeriod(query);
        }

        var summary = await history.SummaryAsync(request, cancellationToken);
        return TypedResults.Ok(new HistorySummaryResponse(tenantId, storeId, store.Currency, summary.TimeZone, summary.Period, summary.Comparison, summary.Kpis));
    }

    internal static async Task<Results<Ok<HistoryTrendResponse>, ProblemHttpResult>> TrendAsync(
        string tenantId, string storeId, [AsParameters] HistoryParameters query, IStoreDirectory stores, HistoryQueries history,
        CancellationToken cancellationToken)
    {
        var store = await stores.GetAsync(new StoreRef(tenantId, storeId), cancellationToken);
        if (store is null)
        {
            return UnknownStore(tenantId, storeId);
        }

        if (Parse(query, HistoryScope.Store(tenantId, storeId), store.TimeZone) is not { } request)
        {
            return BadPeriod(query);
        }

        if (!HistoryPeriods.TryParseGrain(query.Grain, out var grain))
        {
            return Bad($"grain '{query.Grain}' is not one of minute, hour, day, week.");
        }

        try
        {
            var trend = await history.TrendAsync(request, grain, cancellationToken);
            return TypedResults.Ok(new HistoryTrendResponse(tenantId, storeId, store.Currency, trend.TimeZone, trend.Grain.ToString().ToLowerInvariant(),
                trend.Period, trend.Comparison, trend.Points, trend.ComparisonPoints));
        }
        catch (ArgumentException ex)
        {
            return Bad(ex.Message);
        }
    }

    internal static async Task<Results<Ok<HistoryBreakdownResponse>, ProblemHttpResult>> BreakdownAsync(
        string tenantId, string storeId, [AsParameters] HistoryParameters query, IStoreDirectory stores, HistoryQueries history,
        CancellationToken cancellationToken)
    {
        var store = await stores.GetAsync(new StoreRef(tenantId, storeId), cancellationToken);
        if (store is null)
        {
            return UnknownStore(tenantId, storeId);
        }

        return await RespondBreakdownAsync(query, HistoryScope.Store(tenantId, storeId), store.TimeZone, store.Currency, history, cancellationToken);
    }

    internal static async Task<Results<Ok<HistoryBreakdownResponse>, ProblemHttpResult>> TenantBreakdownAsync(
        string tenantId, [AsParameters] HistoryParameters query, IStoreDirectory stores, HistoryQueries history, CancellationToken cancellationToken)
    {
        var tenantStores = (await stores.ListAsync(tenantId, cancellationToken))
            .OrderBy(s => s.Store.StoreId, StringComparer.Ordinal)
            .ToList();
        if (tenantStores.Count == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown tenant", detail: $"There is no store in '{tenantId}'.");
        }

        var zone = string.IsNullOrWhiteSpace(query.TimeZone) ? tenantStores[0].TimeZone : query.TimeZone.Trim();
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            return Bad($"timeZone '{zone}' is not a known IANA zone.");
        }

        // Figures are summed as they are; stores trading in different currencies are not converted, so say which.
        var currency = string.Join(",", tenantStores.Select(s => s.Currency).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        return await RespondBreakdownAsync(query, HistoryScope.Tenant(tenantId), zone, currency, history, cancellationToken);
    }

    private static async Task<Results<Ok<HistoryBreakdownResponse>, ProblemHttpResult>> RespondBreakdownAsync(
        HistoryParameters query, HistoryScope scope, string timeZone, string currency, HistoryQueries history, CancellationToken cancellationToken)
    {
        if (Parse(query, scope, timeZone) is not { } request)
        {
            return BadPeriod(query);
        }

        if (!Enum.TryParse<BreakdownDimension>(query.By ?? string.Empty, ignoreCase: true, out var by) || !Enum.IsDefined(by))
        {
            return Bad($"by '{query.By}' is not one of channel, store, product, source, country.");
        }

        if (!Enum.TryParse<BreakdownMetric>(query.Rank ?? nameof(BreakdownMetric.Revenue), ignoreCase: true, out var rank) || !Enum.IsDefined(rank))
        {
            return Bad($"rank '{query.Rank}' is not one of revenue, units, orders, refunds, returnrate.");
        }

        if (query.Limit is < 1 or > MaxLimit)
        {
            return Bad($"limit must be between 1 and {MaxLimit}.");
        }

        var breakdown = await history.BreakdownAsync(request, by, rank, query.Limit, cancellationToken);
        return TypedResults.Ok(new HistoryBreakdownResponse(scope.TenantId, scope.StoreId, currency, breakdown.TimeZone,
            by.ToString().ToLowerInvariant(), rank.ToString().ToLowerInvariant(), breakdown.Period, breakdown.Comparison,
            breakdown.TotalGroups, breakdown.Rows));
    }

    private static HistoryRequest? Parse(HistoryParameters query, HistoryScope scope, string timeZone)
    {
        if (!HistoryPeriods.TryParsePeriod(query.Period, out var period)
            || !HistoryPeriods.TryParseComparison(query.Compare, out var comparison)
            || !HistoryPeriods.TryParseDate(query.From, out var from)
            || !HistoryPeriods.TryParseDate(query.To, out var to))
        {
            return null;
        }

        if (period == PeriodKind.Custom
            && (from is null || to is null || to < from || to.Value.DayNumber - from.Value.DayNumber >= HistoryPeriods.MaxCustomDays))
        {
            return null;
        }

        // A store whose zone this machine does not know still answers, on UTC days, as the live tiles do.
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var found) ? found : TimeZoneInfo.Utc;
        return new HistoryRequest(scope, zone, period, comparison, from, to);
    }

    private static ProblemHttpResult BadPeriod(HistoryParameters query) => Bad(
        $"period '{query.Period}', compare '{query.Compare}', from '{query.From}', to '{query.To}' do not make a period: period is one of "
        + "today, yesterday, last7, last30, last90, mtd, custom; compare one of previous, previous_year, none; a custom period needs "
        + $"from and to as yyyy-MM-dd, to not before from, at most {HistoryPeriods.MaxCustomDays} days.");

    private static ProblemHttpResult Bad(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid history query", detail: detail);

    private static ProblemHttpResult UnknownStore(string tenantId, string storeId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown store", detail: $"There is no store '{storeId}' in '{tenantId}'.");
}
