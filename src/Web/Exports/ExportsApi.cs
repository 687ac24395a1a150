using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Forecasts;
using SalesDash.Engine.History;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;
using SalesDash.Web.Alerts;
using SalesDash.Web.Dashboards;
using SalesDash.Web.History;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Exports;

/// <summary>
/// Downloads of what the dashboard and history show, as CSV or XLSX: each endpoint takes the same query as the API it
/// mirrors plus format=csv|xlsx and answers through the same query service as that API (HistoryReads, OrderFeed,
/// ITileQuery), so a file holds the same figures (and a bad query the same problem). Plus the organisation's full data export as a streamed zip (Admin).
/// </summary>
public static class ExportsApi
{
    /// <summary>What the dashboard's widgets list: the same counts as the front end (widgets/*.tsx).</summary>
    public const int TopProducts = 10;

    public const int FeedLength = 20;

    public const int AlertsListed = 20;

    /// <summary>Maps the routes under /api/tenants/{tenantId}/exports.</summary>
    public static RouteGroupBuilder MapExportsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var exports = api.MapGroup("/tenants/{tenantId}/exports");
        var analyst = exports.MapGroup(string.Empty).RequireOrgRole(OrgRole.Analyst);
        // The store's 404 comes from the store scope's one filter, as on the API each export mirrors.
        var store = analyst.MapGroup("/stores/{storeId}").RequireStore();
        store.MapGet("/summary", SummaryAsync).WithName("ExportHistorySummary");
        store.MapGet("/trend", TrendAsync).WithName("ExportHistoryTrend");
        store.MapGet("/breakdown", BreakdownAsync).WithName("ExportHistoryBreakdown");
        analyst.MapGet("/breakdown", TenantBreakdownAsync).WithName("ExportTenantHistoryBreakdown");
        store.MapGet("/tiles", TilesAsync).WithName("ExportStoreTiles");
        store.MapGet("/orders/recent", RecentOrdersAsync).WithName("ExportRecentOrders");
        analyst.MapGet("/dashboards/{dashboardId}/widgets/{widgetId}", WidgetAsync).WithName("ExportWidget");
        exports.MapGet("/full", OrganisationExport.StreamAsync).RequireOrgRole(OrgRole.Admin).WithName("ExportOrganisation");
        return api;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> SummaryAsync(
        CurrentStore store, [AsParameters] HistoryParameters query, string? format, HistoryReads reads, CancellationToken cancellationToken) =>
        await FileOfAsync(format, await reads.SummaryAsync(store.Profile, query, cancellationToken),
            ok => new ExportDocument(Stem(store, "summary", ok.Period), [ExportTables.Summary(ok)]), cancellationToken);

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> TrendAsync(
        CurrentStore store, [AsParameters] HistoryParameters query, string? format, HistoryReads reads, CancellationToken cancellationToken) =>
        await FileOfAsync(format, await reads.TrendAsync(store.Profile, query, cancellationToken),
            ok => new ExportDocument(Stem(store, $"trend-{ok.Grain}", ok.Period), ExportTables.Trend(ok)), cancellationToken);

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> BreakdownAsync(
        CurrentStore store, [AsParameters] HistoryParameters query, string? format, HistoryReads reads, CancellationToken cancellationToken) =>
        await FileOfAsync(format, await reads.BreakdownAsync(store.Profile, query, cancellationToken),
            ok => new ExportDocument(Stem(store, $"by-{ok.By}", ok.Period), [ExportTables.Breakdown(ok)]), cancellationToken);

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> TenantBreakdownAsync(
        string tenantId, [AsParameters] HistoryParameters query, string? format, HistoryReads reads, CancellationToken cancellationToken) =>
        await FileOfAsync(format, await reads.TenantBreakdownAsync(tenantId, query, cancellationToken),
            ok => new ExportDocument(Stem(tenantId, "all-stores", $"by-{ok.By}", ok.Period), [ExportTables.Breakdown(ok)]), cancellationToken);

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> TilesAsync(
        CurrentStore store, string? format, ITileQuery tiles, CancellationToken cancellationToken)
    {
        if (!ExportFormats.TryParse(format, out var fileFormat))
        {
            return BadFormat(format);
        }

        var current = await tiles.GetTilesAsync(store.Profile, cancellationToken);
        return await FileAsync(new ExportDocument($"{store.Profile.Store.TenantId}-{store.Profile.Store.StoreId}-tiles-{current.LocalDate}", ExportTables.Tiles(current)),
            fileFormat, cancellationToken);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> RecentOrdersAsync(
        CurrentStore store, int? limit, string? format, OrderFeed feed, CancellationToken cancellationToken) =>
        await FileOfAsync(format, await feed.RecentAsync(store.Profile, limit, cancellationToken),
            ok => new ExportDocument($"{ok.TenantId}-{ok.StoreId}-recent-orders", [ExportTables.RecentOrders(ok)]), cancellationToken);

    /// <summary>The query's answer as a file in the asked format, or its refusal as the API would answer it.</summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> FileOfAsync<T>(
        string? format, QueryAnswer<T> answer, Func<T, ExportDocument> document, CancellationToken cancellationToken)
        where T : class
    {
        if (!ExportFormats.TryParse(format, out var fileFormat))
        {
            return BadFormat(format);
        }

        return answer.Refusal is { } refusal ? refusal.ToProblem() : await FileAsync(document(answer.Value!), fileFormat, cancellationToken);
    }

    /// <summary>
    /// One widget of a saved dashboard, as it shows now: for every store it draws on, the live tiles (KPI, chart,
    /// ranking and goal widgets), today's top products or countries, the order feed, the alerts or the forecast.
    /// </summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> WidgetAsync(
        string tenantId, string dashboardId, string widgetId, string? format, IDashboardStore dashboards, IStoreDirectory stores,
        HistoryReads history, OrderFeed feed, ITileQuery tiles, IAlertStore alerts, RevenueForecastService forecasts,
        Engine.Insights.InsightService insights, IPlanService plans, CancellationToken cancellationToken)
    {
        if (!ExportFormats.TryParse(format, out var fileFormat))
        {
            return BadFormat(format);
        }

        if (await dashboards.GetAsync(tenantId, dashboardId, cancellationToken) is not { } dashboard)
        {
            return NotFound("Unknown dashboard", $"There is no dashboard '{dashboardId}' in '{tenantId}'.");
        }

        if (dashboard.Widgets.FirstOrDefault(w => w.Id == widgetId) is not { } widget)
        {
            return NotFound("Unknown widget", $"Dashboard '{dashboard.Name}' has no widget '{widgetId}'.");
        }

        var shown = (await stores.ListAsync(tenantId, cancellationToken))
            .Where(s => (widget.Settings.Channel is null || widget.Settings.Channel == s.Channel.ToString()))
            .OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Store.StoreId, StringComparer.Ordinal)
            .ToList();
        var tables = new List<ExportTable>();
        switch (widget.Kind)
        {
            case "top-products" or "order-map":
                var by = widget.Kind == "top-products" ? BreakdownDimension.Product : BreakdownDimension.Country;
                var rank = widget.Kind == "top-products" && widget.Settings.Metric == "units-sold" ? "units" : "revenue";
                foreach (var store in shown)
                {
                    var query = new HistoryParameters
                    {
                        Period = "today", Compare = "none", By = by.ToString(), Rank = rank,
                        Limit = widget.Kind == "top-products" ? TopProducts : null,
                    };
                    if ((await history.BreakdownAsync(store, query, cancellationToken)).Value is { } breakdown)
                    {
                        tables.Add(ExportTables.Breakdown(breakdown, $"{store.Store.StoreId} by {breakdown.By}"));
                    }
                }

                break;
            case "order-feed":
                foreach (var store in shown)
                {
                    if ((await feed.RecentAsync(store, FeedLength, cancellationToken)).Value is { } orders)
                    {
                        tables.Add(ExportTables.RecentOrders(orders));
                    }
                }

                break;
            case "alerts":
                var zone = ExportFormats.Zone(shown.FirstOrDefault()?.TimeZone ?? "UTC");
                var listed = new List<AlertView>();
                foreach (var store in shown)
                {
                    listed.AddRange((await alerts.ListAlertsAsync(tenantId, null, store.Store.StoreId, AlertsListed, cancellationToken)).Select(AlertView.Of));
                }

                tables.Add(ExportTables.Alerts([.. listed.OrderByDescending(a => a.FiredAt)], zone));
                break;
            case "insights":
                foreach (var store in shown)
                {
                    tables.Add(ExportTables.Insights(await insights.GenerateAsync(store, cancellationToken)));
                }

                break;
            case "forecast":
                // The same gate as GET .../forecast: a forecast is advanced analytics, so a tier without it gets no file of one either.
                if (PlanLimitProblems.Feature(await plans.GetLimitsAsync(tenantId, cancellationToken), PlanFeature.AdvancedAnalytics) is { } refused)
                {
                    return refused;
                }

                foreach (var store in shown)
                {
                    tables.Add(ExportTables.Forecast(await forecasts.ForecastAsync(store, cancellationToken)));
                }

                break;
            default:
                foreach (var store in shown)
                {
                    tables.AddRange(ExportTables.Tiles(await tiles.GetTilesAsync(store, cancellationToken)));
                }

                break;
        }

        var title = string.IsNullOrWhiteSpace(widget.Title) ? widget.Kind : widget.Title;
        return await FileAsync(new ExportDocument($"{tenantId}-{dashboard.Name}-{title}", tables), fileFormat, cancellationToken);
    }

    /// <summary>The document as a download: the file's bytes with its content type and an attachment disposition.</summary>
    public static async Task<FileContentHttpResult> FileAsync(ExportDocument document, ExportFormat format, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var buffer = new MemoryStream();
        if (format == ExportFormat.Csv)
        {
            await CsvExport.WriteAsync(document, buffer, cancellationToken);
        }
        else
        {
            XlsxExport.Write(document, buffer);
        }

        return TypedResults.File(buffer.ToArray(), format == ExportFormat.Csv ? ExportFormats.CsvContentType : ExportFormats.XlsxContentType,
            ExportFormats.FileName(document.FileStem, format));
    }

    private static string Stem(CurrentStore store, string what, PeriodInfo period) =>
        Stem(store.Profile.Store.TenantId, store.Profile.Store.StoreId, what, period);

    private static string Stem(string tenantId, string storeId, string what, PeriodInfo period) =>
        $"{tenantId}-{storeId}-{what}-{period.From:yyyy-MM-dd}-to-{period.To:yyyy-MM-dd}";

    internal static ProblemHttpResult BadFormat(string? format) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid export format", detail: $"format '{format}' is not one of csv, xlsx.");

    private static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);
}
