using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Forecasts;
using SalesDash.Engine.History;
using SalesDash.Web.Alerts;
using SalesDash.Web.History;
using SalesDash.Web.Dashboards;

namespace SalesDash.Web.Exports;

/// <summary>
/// Turns the answers of the dashboard and history APIs into export tables, column for column, so a downloaded file
/// holds exactly the figures the API (and so the screen) shows: money in the store's currency with its code, times
/// in the store's zone with their offset.
/// </summary>
public static class ExportTables
{
    private static readonly ExportColumn[] KpiColumns =
    [
        new("Metric", ColumnKind.Text), new("Value", ColumnKind.Decimal), new("Previous", ColumnKind.Decimal),
        new("Change", ColumnKind.Decimal), new("Change ratio", ColumnKind.Ratio), new("Unit", ColumnKind.Text),
        new("Period from", ColumnKind.Date), new("Period to", ColumnKind.Date), new("Compared from", ColumnKind.Date), new("Compared to", ColumnKind.Date),
    ];

    public static ExportTable Summary(HistorySummaryResponse summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var k = summary.Kpis;
        var money = summary.Currency;
        (string Name, KpiDelta Delta, string Unit)[] rows =
        [
            ("Gross revenue", k.GrossRevenue, money),
            ("Net revenue", k.NetRevenue, money),
            ("Orders", k.Orders, "count"),
            ("Average order value", k.AverageOrderValue, money),
            ("Conversion rate", k.ConversionRate, "ratio"),
            ("Units sold", k.UnitsSold, "count"),
            ("Refunds", k.Refunds, money),
            // History's rollups count orders by whether the buyer was new, not distinct buyers (the Customers page does).
            ("Orders from new customers", k.NewCustomers, "count"),
            ("Orders from returning customers", k.ReturningCustomers, "count"),
            ("Sessions", k.Sessions, "count"),
            ("Cancelled orders", k.CancelledOrders, "count"),
        ];
        return new ExportTable("Summary", KpiColumns, [.. rows.Select(r => (IReadOnlyList<object?>)
        [
            r.Name, Figure(r.Delta.Value, r.Unit), Figure(r.Delta.Previous, r.Unit), Figure(r.Delta.Change, r.Unit), r.Delta.ChangeRatio, r.Unit,
            summary.Period.From, summary.Period.To, summary.Comparison?.From, summary.Comparison?.To,
        ])]);
    }

    /// <summary>The trend's points, and its comparison's in a second table when there is one.</summary>
    public static IReadOnlyList<ExportTable> Trend(HistoryTrendResponse trend)
    {
        ArgumentNullException.ThrowIfNull(trend);
        var zone = ExportFormats.Zone(trend.TimeZone);
        var tables = new List<ExportTable> { Points("Trend", trend.Points, trend.Currency, zone) };
        if (trend.ComparisonPoints is { } earlier)
        {
            tables.Add(Points("Comparison", earlier, trend.Currency, zone));
        }

        return tables;
    }

    public static ExportTable Points(string name, IReadOnlyList<TrendPoint> points, string currency, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(points);
        return new ExportTable(name,
        [
            new($"Start ({zone.Id})", ColumnKind.Time), new("Gross revenue", ColumnKind.Money, currency), new("Net revenue", ColumnKind.Money, currency),
            new("Orders", ColumnKind.Integer), new("Units", ColumnKind.Integer), new("Refunds", ColumnKind.Money, currency),
            new("Average order value", ColumnKind.Money, currency), new("Sessions", ColumnKind.Integer), new("Conversion rate", ColumnKind.Ratio),
        ],
        [.. points.Select(p => (IReadOnlyList<object?>)
        [
            ExportFormats.InZone(p.StartUtc, zone), p.GrossRevenue, p.NetRevenue, p.Orders, p.Units, p.Refunds, p.AverageOrderValue, p.Sessions, p.ConversionRate,
        ])]);
    }

    public static ExportTable Breakdown(HistoryBreakdownResponse breakdown, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(breakdown);

        // A tenant-wide breakdown of stores in several currencies is not converted (the API says "GBP,USD"); then
        // the header cannot name one currency and says so.
        var currency = breakdown.Currency;
        return new ExportTable(name ?? $"By {breakdown.By}",
        [
            new("Rank", ColumnKind.Integer), new("Key", ColumnKind.Text), new("Label", ColumnKind.Text),
            new("Gross revenue", ColumnKind.Money, currency), new("Revenue share", ColumnKind.Ratio), new("Orders", ColumnKind.Integer),
            new("Units", ColumnKind.Integer), new("Average order value", ColumnKind.Money, currency), new("Refunds", ColumnKind.Money, currency),
            new("Refunded units", ColumnKind.Integer), new("Return rate", ColumnKind.Ratio), new("Sessions", ColumnKind.Integer),
            new("Conversion rate", ColumnKind.Ratio), new("Previous revenue", ColumnKind.Money, currency), new("Revenue change ratio", ColumnKind.Ratio),
        ],
        [.. breakdown.Rows.Select(r => (IReadOnlyList<object?>)
        [
            r.Rank, r.Key, r.Label, r.GrossRevenue, r.RevenueShare, r.Orders, r.Units, r.AverageOrderValue, r.Refunds, r.RefundedUnits, r.ReturnRate,
            r.Sessions, r.ConversionRate, r.Revenue.Previous, r.Revenue.ChangeRatio,
        ])]);
    }

    /// <summary>Today's tiles (a row per KPI) and the last hour's revenue per minute.</summary>
    public static IReadOnlyList<ExportTable> Tiles(DashboardTiles tiles)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        var zone = ExportFormats.Zone(tiles.TimeZone);
        var money = tiles.Currency;
        (string Name, KpiTile Tile, string Unit)[] rows =
        [
            ("Gross revenue", tiles.GrossRevenue, money),
            ("Net revenue", tiles.NetRevenue, money),
            ("Refunds", tiles.Refunds, money),
            ("Orders", tiles.Orders, "count"),
            ("Average order value", tiles.AverageOrderValue, money),
            ("Units sold", tiles.UnitsSold, "count"),
            ("New customers", tiles.NewCustomers, "count"),
            ("Returning customers", tiles.ReturningCustomers, "count"),
        ];
        var asOf = ExportFormats.InZone(tiles.AsOf, zone);
        var kpis = new ExportTable($"{tiles.StoreId} today",
        [
            new("Store", ColumnKind.Text), new("Metric", ColumnKind.Text), new("Today", ColumnKind.Decimal), new("Same time last week", ColumnKind.Decimal),
            new("Change ratio", ColumnKind.Ratio), new("Unit", ColumnKind.Text), new("Local date", ColumnKind.Text), new($"As of ({zone.Id})", ColumnKind.Time),
        ],
        [.. rows.Select(r => (IReadOnlyList<object?>)
            [tiles.StoreId, r.Name, Figure(r.Tile.Value, r.Unit), Figure(r.Tile.LastWeek, r.Unit), r.Tile.ChangeRatio, r.Unit, tiles.LocalDate, asOf])]);
        var minutes = new ExportTable($"{tiles.StoreId} per minute",
            [new("Store", ColumnKind.Text), new($"Minute ({zone.Id})", ColumnKind.Time), new("Gross revenue", ColumnKind.Money, money), new("Orders", ColumnKind.Integer)],
            [.. tiles.RevenuePerMinute.Select(m => (IReadOnlyList<object?>)[tiles.StoreId, ExportFormats.InZone(m.Minute, zone), m.GrossRevenue, m.Orders])]);
        return [kpis, minutes];
    }

    public static ExportTable RecentOrders(RecentOrdersResponse feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        var zone = ExportFormats.Zone(feed.TimeZone);
        return new ExportTable($"{feed.StoreId} orders",
        [
            new("Store", ColumnKind.Text), new("Order", ColumnKind.Text), new($"Placed at ({zone.Id})", ColumnKind.Time), new("Total", ColumnKind.Money),
            new("Currency", ColumnKind.Text), new("Channel", ColumnKind.Text), new("Country", ColumnKind.Text), new("Units", ColumnKind.Integer),
            new("Cancelled", ColumnKind.Text),
        ],
        [.. feed.Orders.Select(o => (IReadOnlyList<object?>)
        [
            o.StoreId, o.OrderId, ExportFormats.InZone(o.PlacedAt, zone), new Money(o.Total, o.Currency), o.Currency, o.Channel, o.Country, o.Units, o.Cancelled,
        ])]);
    }

    public static ExportTable Alerts(IReadOnlyList<AlertView> alerts, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(zone);
        DateTimeOffset? At(DateTimeOffset? at) => at is { } value ? ExportFormats.InZone(value, zone) : null;
        return new ExportTable("Alerts",
        [
            new("Alert", ColumnKind.Text), new("Store", ColumnKind.Text), new("Rule", ColumnKind.Text), new("Kind", ColumnKind.Text),
            new("Status", ColumnKind.Text), new($"Fired at ({zone.Id})", ColumnKind.Time), new($"Acknowledged at ({zone.Id})", ColumnKind.Time),
            new($"Resolved at ({zone.Id})", ColumnKind.Time), new("Message", ColumnKind.Text),
        ],
        [.. alerts.Select(a => (IReadOnlyList<object?>)
            [a.Id, a.StoreId, a.RuleName, a.Kind, a.Status, At(a.FiredAt), At(a.AcknowledgedAt), At(a.ResolvedAt), a.Message])]);
    }

    public static ExportTable Forecast(RevenueForecast forecast)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        var zone = ExportFormats.Zone(forecast.TimeZone);
        var money = forecast.Currency;
        return new ExportTable($"{forecast.StoreId} forecast",
        [
            new("Store", ColumnKind.Text), new("Local date", ColumnKind.Text), new($"As of ({zone.Id})", ColumnKind.Time), new("Model", ColumnKind.Text),
            new("Today so far", ColumnKind.Money, money), new("End of day estimate", ColumnKind.Money, money), new("End of day low", ColumnKind.Money, money),
            new("End of day high", ColumnKind.Money, money), new("Month to date", ColumnKind.Money, money),
            new("End of month estimate", ColumnKind.Money, money), new("End of month low", ColumnKind.Money, money),
            new("End of month high", ColumnKind.Money, money), new("Text", ColumnKind.Text),
        ],
        [
            [
                forecast.StoreId, forecast.LocalDate, ExportFormats.InZone(forecast.AsOf, zone), forecast.Model, forecast.TodaySoFar,
                forecast.EndOfDay?.Estimate, forecast.EndOfDay?.Low, forecast.EndOfDay?.High, forecast.MonthToDate,
                forecast.EndOfMonth?.Estimate, forecast.EndOfMonth?.Low, forecast.EndOfMonth?.High, forecast.Text,
            ],
        ]);
    }

    /// <summary>The store's insights, a row per figure each sentence rests on.</summary>
    public static ExportTable Insights(Engine.Insights.StoreInsights insights)
    {
        ArgumentNullException.ThrowIfNull(insights);
        return new ExportTable($"{insights.StoreId} insights",
        [
            new("Store", ColumnKind.Text), new("Kind", ColumnKind.Text), new("Insight", ColumnKind.Text), new("Figure", ColumnKind.Text),
            new("Value", ColumnKind.Decimal), new("Previous", ColumnKind.Decimal), new("Unit", ColumnKind.Text),
        ],
        [.. insights.Insights.SelectMany(i => i.Figures.Count == 0
            ? [(IReadOnlyList<object?>)[insights.StoreId, i.Kind, i.Text, null, null, null, null]]
            : i.Figures.Select(f => (IReadOnlyList<object?>)[insights.StoreId, i.Kind, i.Text, f.Name, f.Value, f.Previous, f.Unit]))]);
    }

    /// <summary>A KPI figure typed by its unit: money carries its currency into the XLSX format; counts and ratios are plain numbers.</summary>
    private static object? Figure(decimal? value, string unit) => value is not { } v ? null : unit is "count" or "ratio" ? v : new Money(v, unit);
}
