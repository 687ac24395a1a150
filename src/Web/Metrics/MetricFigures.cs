using SalesDash.Engine.History;

namespace SalesDash.Web.Metrics;

/// <summary>A figure a formula may name, what it means, and its unit.</summary>
public sealed record MetricFigure(string Name, string Description, string Unit);

/// <summary>
/// The figures custom metrics are built from: the KPIs history and the tiles show (src/Engine/History), plus ad
/// spend from the multi-channel insight facts. Each is computed from the same additive totals, so a custom metric's
/// value for a period is the formula over that period's figures, not a sum of per-bucket results.
/// </summary>
public static class MetricFigures
{
    public static readonly IReadOnlyList<MetricFigure> All =
    [
        new("revenue", "Gross revenue of orders placed", "money"),
        new("net_revenue", "Gross revenue minus refunds", "money"),
        new("refunds", "Amount refunded", "money"),
        new("refund_count", "Number of refunds", "count"),
        new("orders", "Orders placed (cancelled ones included, as the tiles count them)", "count"),
        new("cancelled_orders", "Orders placed then cancelled", "count"),
        new("units", "Units sold", "count"),
        new("aov", "Average order value: revenue / orders (no value without orders)", "money"),
        new("sessions", "Sessions (visits) recorded", "count"),
        new("conversion", "Orders per session, 0..1 (no value without sessions)", "ratio"),
        new("new_customers", "Orders from first-time customers", "count"),
        new("returning_customers", "Orders from returning customers", "count"),
        new("ad_spend", "Advertising spend recorded by the ad channels", "money"),
    ];

    public static readonly IReadOnlySet<string> Names = All.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The named figure of a span's totals and ad spend; null when the figure has no value (e.g. aov without orders).</summary>
    public static decimal? Of(string name, HistoryTotals totals, decimal adSpend)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return name switch
        {
            "revenue" => totals.GrossRevenue,
            "net_revenue" => totals.GrossRevenue - totals.Refunds,
            "refunds" => totals.Refunds,
            "refund_count" => totals.RefundCount,
            "orders" => totals.Orders,
            "cancelled_orders" => totals.CancelledOrders,
            "units" => totals.Units,
            "aov" => HistoryQueries.AverageOrderValue(totals),
            "sessions" => totals.Sessions,
            "conversion" => HistoryQueries.ConversionRate(totals),
            "new_customers" => totals.NewCustomerOrders,
            "returning_customers" => totals.ReturningCustomerOrders,
            "ad_spend" => adSpend,
            _ => null,
        };
    }
}
