using SalesDash.Contracts.Stores;
using SalesDash.Engine.History;

namespace SalesDash.Web.Reports;

/// <summary>One store's part of a report: the figures of each section it prints (null when the section is off).</summary>
public sealed record StoreReport(
    StoreProfile Store, HistorySummary? Summary, HistoryTrend? Trend, HistoryBreakdown? TopProducts, HistoryBreakdown? Channels);

/// <summary>Everything a report prints for one period.</summary>
public sealed record ReportContent(ReportDefinition Report, DateOnly From, DateOnly To, DateTimeOffset GeneratedAt, IReadOnlyList<StoreReport> Stores);

/// <summary>Reads a report's figures from history: the same queries, and so the same figures, as the History page.</summary>
public sealed class ReportComposer(HistoryQueries history, SalesDash.Engine.Stores.IStoreDirectory stores, TimeProvider time)
{
    /// <summary>Top products list this many.</summary>
    public const int TopProducts = 10;

    public async Task<ReportContent> ComposeAsync(ReportDefinition report, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(report.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var parts = new List<StoreReport>();
        foreach (var storeId in report.StoreIds)
        {
            if (await stores.GetAsync(new Contracts.Commerce.StoreRef(report.TenantId, storeId), cancellationToken) is not { } store)
            {
                // A store removed since the report was saved is left out rather than failing every send.
                continue;
            }

            var request = new HistoryRequest(HistoryScope.Store(report.TenantId, storeId), zone, PeriodKind.Custom, ComparisonKind.Previous, from, to);
            var sections = report.Sections;
            parts.Add(new StoreReport(
                store,
                sections.KpiSummary ? await history.SummaryAsync(request, cancellationToken) : null,
                sections.Trend ? await history.TrendAsync(request, report.Period == ReportPeriod.Daily ? TrendGrain.Hour : TrendGrain.Day, cancellationToken) : null,
                sections.TopProducts ? await history.BreakdownAsync(request with { Comparison = ComparisonKind.None }, BreakdownDimension.Product,
                    BreakdownMetric.Revenue, TopProducts, cancellationToken) : null,
                sections.ChannelBreakdown ? await history.BreakdownAsync(request, BreakdownDimension.Channel, BreakdownMetric.Revenue, null, cancellationToken) : null));
        }

        return new ReportContent(report, from, to, time.GetUtcNow(), parts);
    }
}
