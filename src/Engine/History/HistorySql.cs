namespace SalesDash.Engine.History;

/// <summary>What the two history stores share: column names per breakdown, the tables retention trims, slot sizes.</summary>
internal static class HistorySql
{
    /// <summary>Every table with a time column, for retention; minute_kpi is the live path's per-minute rows.</summary>
    public static readonly (string Table, string Column)[] TimedTables =
    [
        ("history_orders", "placed_at"),
        ("history_order_lines", "placed_at"),
        ("history_refunds", "occurred_at"),
        ("history_refund_lines", "occurred_at"),
        ("history_sessions", "started_at"),
        ("history_order_touches", "placed_at"),
        ("history_ad_spend", "occurred_at"),
        ("history_shipments", "updated_at"),
        ("history_traffic", "day_start"),
        ("minute_kpi", "minute"),

        // A rollup hour that straddles the cutoff goes too; the stores recompute it from the facts they keep.
        ("history_hourly", "hour"),
        ("history_hourly_products", "hour"),
    ];

    public static string Column(BreakdownDimension by) => by switch
    {
        BreakdownDimension.Channel => "channel",
        BreakdownDimension.Store => "store_id",
        BreakdownDimension.Source => "source",
        BreakdownDimension.Country => "country",
        _ => throw new ArgumentOutOfRangeException(nameof(by), by, "products are grouped by SKU over order lines"),
    };

    public static long SlotSeconds(TimeSpan slot)
    {
        var seconds = (long)slot.TotalSeconds;
        if (seconds <= 0 || TimeSpan.FromSeconds(seconds) != slot)
        {
            throw new ArgumentOutOfRangeException(nameof(slot), slot, "a slot is a positive whole number of seconds");
        }

        return seconds;
    }
}

/// <summary>Adds up one slot's rows from the order, refund and session queries.</summary>
internal sealed class HistorySlotBuilder
{
    private HistoryTotals _totals = HistoryTotals.Zero;

    public void AddOrders(decimal gross, long orders, long units, long newOrders, long returningOrders, long cancelled) =>
        _totals = _totals with
        {
            GrossRevenue = _totals.GrossRevenue + gross,
            Orders = _totals.Orders + orders,
            Units = _totals.Units + units,
            NewCustomerOrders = _totals.NewCustomerOrders + newOrders,
            ReturningCustomerOrders = _totals.ReturningCustomerOrders + returningOrders,
            CancelledOrders = _totals.CancelledOrders + cancelled,
        };

    public void AddRefunds(decimal amount, long count, long units) =>
        _totals = _totals with { Refunds = _totals.Refunds + amount, RefundCount = _totals.RefundCount + count, RefundedUnits = _totals.RefundedUnits + units };

    public void AddSessions(long sessions) => _totals = _totals with { Sessions = _totals.Sessions + sessions };

    public HistoryTotals Build() => _totals;
}

/// <summary>Adds up one breakdown group's rows from the sales, refund and session queries.</summary>
internal sealed class BreakdownBuilder(string key)
{
    private string? _label;
    private decimal _gross;
    private long _orders;
    private long _units;
    private decimal _refunds;
    private long _refundedUnits;
    private long _sessions;

    public void AddSales(string? label, decimal gross, long orders, long units)
    {
        _label ??= label;
        _gross += gross;
        _orders += orders;
        _units += units;
    }

    public void AddRefunds(decimal amount, long units)
    {
        _refunds += amount;
        _refundedUnits += units;
    }

    public void AddSessions(long sessions) => _sessions += sessions;

    public BreakdownTotals Build() => new(key, _label ?? key, _gross, _orders, _units, _refunds, _refundedUnits, _sessions);
}

