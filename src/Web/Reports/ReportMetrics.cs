using SalesDash.Engine.History;

namespace SalesDash.Web.Reports;

/// <summary>How a metric's figure reads: money in the part's currency, a count, or a fraction.</summary>
public enum MetricKind
{
    Money,
    Count,
    Ratio,
}

/// <summary>One metric a report's KPI summary can print: its API key, its label and where its figure is.</summary>
public sealed record ReportMetric(string Key, string Label, MetricKind Kind, Func<HistoryKpis, KpiDelta> Figure);

/// <summary>The metrics a person picks for a report's KPI summary, in the order every format prints them.</summary>
public static class ReportMetrics
{
    public static readonly IReadOnlyList<ReportMetric> All =
    [
        new("grossRevenue", "Gross revenue", MetricKind.Money, k => k.GrossRevenue),
        new("netRevenue", "Net revenue", MetricKind.Money, k => k.NetRevenue),
        new("orders", "Orders", MetricKind.Count, k => k.Orders),
        new("averageOrderValue", "Average order value", MetricKind.Money, k => k.AverageOrderValue),
        new("unitsSold", "Units sold", MetricKind.Count, k => k.UnitsSold),
        new("refunds", "Refunds", MetricKind.Money, k => k.Refunds),
        new("newCustomers", "Orders from new customers", MetricKind.Count, k => k.NewCustomers),
        new("returningCustomers", "Orders from returning customers", MetricKind.Count, k => k.ReturningCustomers),
        new("conversionRate", "Conversion rate", MetricKind.Ratio, k => k.ConversionRate),
        new("sessions", "Sessions", MetricKind.Count, k => k.Sessions),
        new("cancelledOrders", "Cancelled orders", MetricKind.Count, k => k.CancelledOrders),
    ];

    /// <summary>The report's chosen metrics in print order; every one when it chose none.</summary>
    public static IReadOnlyList<ReportMetric> Of(ReportDefinition report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Metrics is { Count: > 0 } keys
            ? [.. All.Where(m => keys.Contains(m.Key, StringComparer.OrdinalIgnoreCase))]
            : All;
    }

    /// <summary>The key as the list spells it; null when it is not a metric.</summary>
    public static string? Normalise(string? key) =>
        All.FirstOrDefault(m => string.Equals(m.Key, key?.Trim(), StringComparison.OrdinalIgnoreCase))?.Key;
}
