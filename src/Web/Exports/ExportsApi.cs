using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Forecasts;
using SalesDash.Engine.History;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;
using SalesDash.Web.Alerts;
using SalesDash.Web.Api;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Exports;

/// <summary>
/// Downloads of what the dashboard and history show, as CSV or XLSX: each endpoint takes the same query as the API it
/// mirrors plus format=csv|xlsx and answers through that API's own handler, so a file holds the same figures (and a
/// bad query the same problem). Plus the organisation's full data export as a streamed zip (Admin).
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
        analyst.MapGet("/stores/{storeId}/summary", SummaryAsync).WithName("ExportHistorySummary");
        analyst.MapGet("/stores/{storeId}/trend", TrendAsync).WithName("ExportHistoryTrend");
        analyst.MapGet("/stores/{storeId}/breakdown", BreakdownAsync).WithName("ExportHistoryBreakdown");
        analyst.MapGet("/breakdown", TenantBreakdownAsync).WithName("ExportTenantHistoryBreakdown");
        analyst.MapGet("/stores/{storeId}/tiles", TilesAsync).WithName("ExportStoreTiles");
        analyst.MapGet("/stores/{storeId}/orders/recent", RecentOrdersAsync).WithName("ExportRecentOrders");
        analyst.MapGet("/dashboards/{dashboardId}/widgets/{widgetId}", WidgetAsync).WithName("ExportWidget");
        exports.MapGet("/full", OrganisationExport.StreamAsync).RequireOrgRole(OrgRole.Admin).WithName("ExportOrganisation");
        return api;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> SummaryAsync(
        string tenantId, string storeId, [AsParameters] HistoryParameters query, string? format, IStoreDirectory stores, HistoryQueries history,
        CancellationToken cancellationToken)
    {
        if (!ExportFormats.TryParse(format, out var fileFormat))
        {
            return BadFormat(format);
        }

        return (await HistoryApi.SummaryAsync(tenantId, storeId, query, stores, history, cancellationToken)).Result switch
        {
            Ok<HistorySummaryResponse> ok => await FileAsync(
                new ExportDocument(Stem(tenantId, storeId, "summary", ok.Value!.Period), [ExportTables.Summary(ok.Value)]), fileFormat, cancellationToken),
            ProblemHttpResult problem => problem,
            var other => Unexpected(other),
        };
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> TrendAsync(
        string tenantId, string storeId, [AsParameters] HistoryParameters query, string? format, IStoreDirectory stores, HistoryQueries history,
        CancellationToken cancellationToken)
    {
        if (!ExportFormats.TryParse(format, out var fileFormat))
        {
            return BadFormat(format);
        }

        return (await HistoryApi.TrendAsync(tenantId, storeId, query, stores, history, cancellationToken)).Result switch
        {
            Ok<HistoryTrendResponse> ok => await FileAsync(
                new ExportDocument(Stem(tenantId, storeId, $"trend-{ok.Value!.Grain}", ok.Value.Period), ExportTables.Trend(ok.Value)), fileFormat, cancellationToken),
            ProblemHttpResult problem => problem,
            var other => Unexpected(other),
        };
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> BreakdownAsync(
        string tenantId, string storeId, [AsParameters] HistoryParameters query, string? format, IStoreDirectory stores, HistoryQueries history,
        CancellationToken cancellationToken)
    {
        if (!ExportFormats.TryParse(format, out var fileFormat))
        {
            return BadFormat(format);
        }

        return (await HistoryApi.BreakdownAsync(tenantId, storeId, query, stores, history, cancellationToken)).Result switch
        {
            Ok<HistoryBreakdownResponse> ok => await FileAsync(
                new ExportDocument(Stem(tenantId, storeId, $"by-{ok.Value!.By}", ok.Value.Period), [ExportTables.Breakdown(ok.Value)]), fileFormat, cancellationToken),
            ProblemHttpResult problem => problem,
            var other => Unexpected(other),
        };
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> TenantBreakdownAsync(
        string tenantId, [AsParameters] HistoryParameters query, string? format, IStoreDirectory stores, HistoryQueries history,
        CancellationToken cancellationToken)
    {
        if (!ExportFormats.TryParse(format, out var fileFormat))
        {
            return BadFormat(format);
        }

        return (await HistoryApi.TenantBreakdownAsync(tenantId, query, stores, history, cancellationToken)).Result switch
        {
            Ok<HistoryBreakdownResponse> ok => await FileAsync(
                new ExportDocument(Stem(tenantId, "all-stores", $"by-{ok.Value!.By}", ok.Value.Period), [ExportTables.Breakdown(ok.Value)]), fileFormat, cancellationToken),
            ProblemHttpResult problem => problem,
            var other => Unexpected(other),
        };
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> TilesAsync(
        string tenantId, string storeId, string? format, IStoreDirectory stores, ITileQuery tiles, CancellationToken cancellationToken)
    {
        if (!ExportFormats.TryParse(format, out var fileFormat))
        {
            return BadFormat(format);
        }

        return (await StoresApi.GetTilesAsync(tenantId, storeId, stores, tiles, cancellationToken)).Result switch
        {
            Ok<Contracts.Tiles.DashboardTiles> ok => await FileAsync(
                new ExportDocument($"{tenantId}-{storeId}-tiles-{ok.Value!.LocalDate}", ExportTables.Tiles(ok.Value)), fileFormat, cancellationToken),
            ProblemHttpResult problem => problem,
            var other => Unexpected(other),
        };
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> RecentOrdersAsync(
        string tenantId, string storeId, int? limit, string? format, IStoreDirectory stores, IHistoryStore history, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!ExportFormats.TryParse(format, out var fileFormat))
        {
            return BadFormat(format);
        }

        return (await WidgetDataApi.RecentOrdersAsync(tenantId, storeId, limit, stores, history, time, cancellationToken)).Result switch
        {
            Ok<RecentOrdersResponse> ok => await FileAsync(
                new ExportDocument($"{tenantId}-{storeId}-recent-orders", [ExportTables.RecentOrders(ok.Value!)]), fileFormat, cancellationToken),
            ProblemHttpResult problem => problem,
            var other => Unexpected(other),
        };
    }

    /// <summary>
    /// One widget of a saved dashboard, as it shows now: for every store it draws on, the live tiles (KPI, chart,
    /// ranking and goal widgets), today's top products or countries, the order feed, the alerts or the forecast.
    /// </summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> WidgetAsync(
        string tenantId, string dashboardId, string widgetId, string? format, IDashboardStore dashboards, IStoreDirectory stores,
        HistoryQueries history, IHistoryStore facts, ITileQuery tiles, IAlertStore alerts, RevenueForecastService forecasts,
        Engine.Insights.InsightService insights, IPlanService plans, TimeProvider time, CancellationToken cancellationToken)
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
                    var query = new HistoryParameters(Period: "today", Compare: "none", By: by.ToString(), Rank: rank,
                        Limit: widget.Kind == "top-products" ? TopProducts : null);
                    if ((await HistoryApi.BreakdownAsync(tenantId, store.Store.StoreId, query, stores, history, cancellationToken)).Result
                        is Ok<HistoryBreakdownResponse> { Value: { } breakdown })
                    {
                        tables.Add(ExportTables.Breakdown(breakdown, $"{store.Store.StoreId} by {breakdown.By}"));
                    }
                }

                break;
            case "order-feed":
                foreach (var store in shown)
                {
                    if ((await WidgetDataApi.RecentOrdersAsync(tenantId, store.Store.StoreId, FeedLength, stores, facts, time, cancellationToken)).Result
                        is Ok<RecentOrdersResponse> { Value: { } feed })
                    {
                        tables.Add(ExportTables.RecentOrders(feed));
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

    private static string Stem(string tenantId, string storeId, string what, PeriodInfo period) =>
        $"{tenantId}-{storeId}-{what}-{period.From:yyyy-MM-dd}-to-{period.To:yyyy-MM-dd}";

    internal static ProblemHttpResult BadFormat(string? format) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid export format", detail: $"format '{format}' is not one of csv, xlsx.");

    private static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);

    private static ProblemHttpResult Unexpected(IResult result) =>
        throw new InvalidOperationException($"The API answered {result.GetType().Name}, which an export cannot turn into a file.");
}
