using SalesDash.Contracts.Stores;
using SalesDash.Engine.History;
using SalesDash.Engine.Stores;

namespace SalesDash.Web.History;

/// <summary>
/// The history reads behind the history endpoints and their exports: the query string checked and turned into a
/// period, then the summary, trend or breakdown in the store's (or tenant's) zone and currency.
/// </summary>
public sealed class HistoryReads(HistoryQueries history, IStoreDirectory stores)
{
    public const int MaxLimit = 1000;

    public async Task<QueryAnswer<HistorySummaryResponse>> SummaryAsync(StoreProfile store, HistoryParameters query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(query);
        if (Parse(query, Scope(store), store.TimeZone) is not { } request)
        {
            return BadPeriod(query);
        }

        var summary = await history.SummaryAsync(request, cancellationToken);
        return new HistorySummaryResponse(store.Store.TenantId, store.Store.StoreId, store.Currency, summary.TimeZone, summary.Period, summary.Comparison, summary.Kpis);
    }

    public async Task<QueryAnswer<HistoryTrendResponse>> TrendAsync(StoreProfile store, HistoryParameters query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(query);
        if (Parse(query, Scope(store), store.TimeZone) is not { } request)
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
            return new HistoryTrendResponse(store.Store.TenantId, store.Store.StoreId, store.Currency, trend.TimeZone, trend.Grain.ToString().ToLowerInvariant(),
                trend.Period, trend.Comparison, trend.Points, trend.ComparisonPoints);
        }
        catch (ArgumentException ex)
        {
            // Too many points for the grain over the period: the store says so in words the caller can act on.
            return Bad(ex.Message);
        }
    }

    public Task<QueryAnswer<HistoryBreakdownResponse>> BreakdownAsync(StoreProfile store, HistoryParameters query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return BreakdownAsync(query, Scope(store), store.TimeZone, store.Currency, cancellationToken);
    }

    /// <summary>Across every store of the tenant, days cut in the asked zone or the first store's.</summary>
    public async Task<QueryAnswer<HistoryBreakdownResponse>> TenantBreakdownAsync(string tenantId, HistoryParameters query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var tenantStores = (await stores.ListAsync(tenantId, cancellationToken))
            .OrderBy(s => s.Store.StoreId, StringComparer.Ordinal)
            .ToList();
        if (tenantStores.Count == 0)
        {
            return QueryRefusal.NotFound("Unknown tenant", $"There is no store in '{tenantId}'.");
        }

        var zone = string.IsNullOrWhiteSpace(query.TimeZone) ? tenantStores[0].TimeZone : query.TimeZone.Trim();
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            return Bad($"timeZone '{zone}' is not a known IANA zone.");
        }

        // Figures are summed as they are; stores trading in different currencies are not converted, so say which.
        var currency = string.Join(",", tenantStores.Select(s => s.Currency).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        return await BreakdownAsync(query, HistoryScope.Tenant(tenantId), zone, currency, cancellationToken);
    }

    private async Task<QueryAnswer<HistoryBreakdownResponse>> BreakdownAsync(
        HistoryParameters query, HistoryScope scope, string timeZone, string currency, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
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
        return new HistoryBreakdownResponse(scope.TenantId, scope.StoreId, currency, breakdown.TimeZone,
            by.ToString().ToLowerInvariant(), rank.ToString().ToLowerInvariant(), breakdown.Period, breakdown.Comparison,
            breakdown.TotalGroups, breakdown.Rows);
    }

    private static HistoryScope Scope(StoreProfile store) => HistoryScope.Store(store.Store.TenantId, store.Store.StoreId);

    private static HistoryRequest? Parse(HistoryParameters query, HistoryScope scope, string timeZone)
    {
        if (!HistoryPeriods.TryParsePeriod(query.Period, query.From, query.To, PeriodKind.Last7, out var period)
            || !HistoryPeriods.TryParseComparison(query.Compare, out var comparison))
        {
            return null;
        }

        // A store whose zone this machine does not know still answers, on UTC days, as the live tiles do.
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var found) ? found : TimeZoneInfo.Utc;
        return new HistoryRequest(scope, zone, period.Kind, comparison, period.From, period.To);
    }

    private static QueryRefusal BadPeriod(HistoryParameters query) => Bad(
        $"{HistoryPeriods.Refusal(query.Period, query.From, query.To)} Compare is one of previous, previous_year, none (sent: '{query.Compare}').");

    private static QueryRefusal Bad(string detail) => QueryRefusal.BadRequest("Invalid history query", detail);
}

public static class HistoryReadsHosting
{
    /// <summary>The history reads the history endpoints and exports share (HistoryQueries comes from the engine).</summary>
    public static IServiceCollection AddHistoryReads(this IServiceCollection services)
    {
        services.AddSingleton<HistoryReads>();
        return services;
    }
}
