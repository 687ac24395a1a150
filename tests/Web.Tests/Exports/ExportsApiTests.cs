using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedXML.Excel;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Exports;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;
using static SalesDash.Web.Tests.Exports.ExportFiles;

namespace SalesDash.Web.Tests.Exports;

/// <summary>
/// Exports read back to exactly the figures the API returns: CSV parsed per RFC 4180 and XLSX opened with ClosedXML,
/// numbers as numbers, money with its currency, times in the store's zone with their offset; the organisation's zip
/// holds every store's facts and nothing of another organisation.
/// </summary>
public sealed class ExportsApiTests : IAsyncDisposable
{
    private readonly WebAppFactory app = new();

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Downloads of figures need an Analyst; the full export an Admin. Members of acme only, so globex stays out of reach.</summary>
    private HttpClient Analyst() => app.CreateSignedInClient(OrgRole.Analyst, "acme");

    private HttpClient Admin() => app.CreateSignedInClient(OrgRole.Admin, "acme");

    [Fact]
    public async Task Breakdown_exports_as_csv_and_xlsx_with_the_figures_the_api_returns()
    {
        var client = Analyst();
        var now = app.Clock.GetUtcNow();
        await WriteAsync(
            Order("b-1", TestStore.London, now.AddHours(-3), ("MUG", 2, 10.25m)),
            Order("b-2", TestStore.London, now.AddHours(-2), ("TEE", 1, 25m), ("MUG", 1, 10.25m)),
            Order("b-3", TestStore.London, now.AddMinutes(-30), ("=HYPERLINK(\"x\")", 3, 7.5m)));
        const string query = "by=product&period=today&compare=none";
        var api = (await client.GetFromJsonAsync<HistoryApiTestsBreakdown>($"/api/tenants/acme/stores/uk-shop/history/breakdown?{query}", Json, Ct))!;
        Assert.Equal(3, api.Rows.Count);

        using var csvResponse = await client.GetAsync($"/api/tenants/acme/exports/stores/uk-shop/breakdown?{query}&format=csv", Ct);
        Assert.Equal(HttpStatusCode.OK, csvResponse.StatusCode);
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", csvResponse.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("acme-uk-shop-by-product-2026-11-25-to-2026-11-25.csv", csvResponse.Content.Headers.ContentDisposition?.FileNameStar);
        var csv = CsvRecords(await csvResponse.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(
            api.Rows.Select(r => (r.Key.StartsWith('=') ? "'" + r.Key : r.Key, r.GrossRevenue, r.Units, r.Orders, r.RevenueShare)),
            csv.Select(r => (r["Key"], Dec(r["Gross revenue (GBP)"]), (long)Dec(r["Units"]), (long)Dec(r["Orders"]), (decimal?)Dec(r["Revenue share"]))));

        // A SKU that reads as a formula is text with a leading apostrophe, never a formula.
        Assert.Contains(csv, r => r["Key"] == "'=HYPERLINK(\"x\")");

        using var xlsxResponse = await client.GetAsync($"/api/tenants/acme/exports/stores/uk-shop/breakdown?{query}&format=xlsx", Ct);
        Assert.True(xlsxResponse.IsSuccessStatusCode, await xlsxResponse.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, xlsxResponse.StatusCode);
        Assert.Equal(ExportFormats.XlsxContentType, xlsxResponse.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(".xlsx", xlsxResponse.Content.Headers.ContentDisposition?.FileNameStar, StringComparison.Ordinal);
        using var workbook = new XLWorkbook(new MemoryStream(await xlsxResponse.Content.ReadAsByteArrayAsync(Ct)));
        var sheet = SheetRecords(workbook.Worksheets.First());
        Assert.All(sheet, r => Assert.Equal(XLDataType.Number, r["Gross revenue (GBP)"].DataType));
        Assert.All(sheet, r => Assert.Contains("GBP", r["Gross revenue (GBP)"].Style.NumberFormat.Format, StringComparison.Ordinal));
        Assert.Equal(
            api.Rows.Select(r => (r.Key, r.GrossRevenue, r.Units)),
            sheet.Select(r => (r["Key"].GetString(), r["Gross revenue (GBP)"].GetValue<decimal>(), (long)r["Units"].GetValue<decimal>())));
        var formulaCell = sheet.Single(r => r["Key"].GetString().StartsWith("=HYPERLINK", StringComparison.Ordinal))["Key"];
        Assert.False(formulaCell.HasFormula);
        Assert.Equal(XLDataType.Text, formulaCell.DataType);
    }

    [Fact]
    public async Task Summary_and_trend_export_to_the_api_figures_with_times_in_the_store_zone()
    {
        var client = Analyst();
        var now = app.Clock.GetUtcNow();
        await WriteAsync(
            Order("s-1", TestStore.NewYork, now.AddHours(-5), ("CAP", 2, 19.99m)),
            Order("s-2", TestStore.NewYork, now.AddHours(-1), ("CAP", 1, 19.99m)),
            Order("s-3", TestStore.NewYork, now.AddDays(-1), ("HAT", 4, 12m)));

        const string query = "period=last7&compare=previous";
        var summary = (await client.GetFromJsonAsync<SummaryBody>($"/api/tenants/acme/stores/us-shop/history/summary?{query}", Json, Ct))!;
        var csv = CsvRecords(await client.GetByteArrayAsync($"/api/tenants/acme/exports/stores/us-shop/summary?{query}&format=csv", Ct));
        var gross = csv.Single(r => r["Metric"] == "Gross revenue");
        Assert.Equal((summary.Kpis.GrossRevenue.Value, "USD"), (Dec(gross["Value"]), gross["Unit"]));
        // last7 is the seven whole days before today: only yesterday's order counts.
        Assert.Equal(48m, Dec(gross["Value"]));
        Assert.Equal(summary.Kpis.Orders.Value, Dec(csv.Single(r => r["Metric"] == "Orders")["Value"]));

        var trend = (await client.GetFromJsonAsync<TrendBody>($"/api/tenants/acme/stores/us-shop/history/trend?period=today&compare=none&grain=hour", Json, Ct))!;
        var trendCsv = CsvRecords(await client.GetByteArrayAsync("/api/tenants/acme/exports/stores/us-shop/trend?period=today&compare=none&grain=hour", Ct));
        Assert.Equal(trend.Points.Count, trendCsv.Count);

        // New York in November is UTC-5: the first hour of its day is printed as local midnight with that offset.
        Assert.Equal("2026-11-25T00:00:00-05:00", trendCsv[0]["Start (America/New_York)"]);
        Assert.Equal(trend.Points.Select(p => p.GrossRevenue), trendCsv.Select(r => Dec(r["Gross revenue (USD)"])));
        Assert.Equal(59.97m, trendCsv.Sum(r => Dec(r["Gross revenue (USD)"])));

        using var xlsx = new XLWorkbook(new MemoryStream(
            await client.GetByteArrayAsync("/api/tenants/acme/exports/stores/us-shop/trend?period=today&compare=none&grain=hour&format=xlsx", Ct)));
        var first = xlsx.Worksheets.First().Cell(2, 1);
        Assert.Equal(XLDataType.DateTime, first.DataType);
        Assert.Equal(new DateTime(2026, 11, 25, 0, 0, 0), first.GetDateTime());
        Assert.Contains("-05:00", first.Style.NumberFormat.Format, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_format_and_bad_query_are_problems_and_unknown_stores_are_not_found()
    {
        var client = Analyst();
        await AssertProblemAsync(client, "/api/tenants/acme/exports/stores/uk-shop/summary?format=pdf", HttpStatusCode.BadRequest, "csv, xlsx");
        await AssertProblemAsync(client, "/api/tenants/acme/exports/stores/uk-shop/breakdown?by=colour&format=csv", HttpStatusCode.BadRequest, "colour");
        await AssertProblemAsync(client, "/api/tenants/acme/exports/stores/no-shop/summary", HttpStatusCode.NotFound, "no-shop");
        await AssertProblemAsync(client, "/api/tenants/nobody/exports/full", HttpStatusCode.NotFound, "nobody");
    }

    [Fact]
    public async Task Widget_export_holds_what_the_widget_shows_for_each_store()
    {
        var client = Analyst();
        var now = app.Clock.GetUtcNow();
        await WriteAsync(
            Order("w-1", TestStore.London, now.AddHours(-1), ("PEN", 4, 2.5m)),
            Order("w-2", TestStore.NewYork, now.AddMinutes(-10), ("INK", 1, 7.25m)));
        var board = new DashboardInput("Floor", [new LayoutItem("feed", 0, 0, 6, 6)],
            [new Widget("feed", "order-feed", "Latest orders", new WidgetSettings("orders", "today", "none"))]);
        using var created = await client.PostAsJsonAsync("/api/tenants/acme/dashboards", board, Ct);
        var dashboard = (await created.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!;

        using var xlsx = new XLWorkbook(new MemoryStream(
            await client.GetByteArrayAsync($"/api/tenants/acme/exports/dashboards/{dashboard.Id}/widgets/feed?format=xlsx", Ct)));
        var byStore = xlsx.Worksheets.ToDictionary(s => s.Name, s => SheetRecords(s));
        Assert.Equal(["uk-shop orders", "us-shop orders"], byStore.Keys.Order(StringComparer.Ordinal));
        var uk = Assert.Single(byStore["uk-shop orders"]);
        Assert.Equal(("w-1", 10m), (uk["Order"].GetString(), uk["Total"].GetValue<decimal>()));
        Assert.Contains("GBP", uk["Total"].Style.NumberFormat.Format, StringComparison.Ordinal);
        var us = Assert.Single(byStore["us-shop orders"]);
        Assert.Equal(("w-2", 7.25m), (us["Order"].GetString(), us["Total"].GetValue<decimal>()));
        Assert.Contains("-05:00", us["Placed at (America/New_York)"].Style.NumberFormat.Format, StringComparison.Ordinal);

        await AssertProblemAsync(client, $"/api/tenants/acme/exports/dashboards/{dashboard.Id}/widgets/nope", HttpStatusCode.NotFound, "nope");
    }

    [Fact]
    public async Task Full_export_is_a_zip_with_every_store_s_facts_and_no_other_organisation_s()
    {
        var client = Admin();
        var now = app.Clock.GetUtcNow();
        await WriteAsync(
            Order("z-uk-1", TestStore.London, now.AddDays(-3), ("MUG", 2, 10m)),
            Order("z-uk-2", TestStore.London, now.AddHours(-2), ("TEE", 1, 25m), ("MUG", 1, 10m)),
            Order("z-us-1", TestStore.NewYork, now.AddHours(-4), ("CAP", 3, 20m)),
            Order("z-gx-1", TestStore.Other, now.AddHours(-1), ("SECRET", 1, 99m)),
            new RefundIssued
            {
                Store = new StoreRef("acme", "uk-shop"), Channel = SalesChannel.Shopify, EventId = "r-1", OccurredAt = now.AddHours(-1),
                StoreTimeZone = TestStore.London.TimeZone, Currency = "GBP", RefundId = "r-1", OrderId = "z-uk-2", Amount = 10m,
            });

        using var response = await client.GetAsync("/api/tenants/acme/exports/full", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("acme-export-2026-11-25.zip", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync(Ct)));
        string[] perStore = ["orders.csv", "order_lines.csv", "refunds.csv", "refund_lines.csv", "minute_kpis.csv"];
        Assert.Equal(
            new[] { "alert_rules.csv", "dashboards.csv", "stores.csv" }.Concat(perStore.Select(f => $"stores/uk-shop/{f}")).Concat(perStore.Select(f => $"stores/us-shop/{f}")).Order(StringComparer.Ordinal),
            zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));

        byte[] Read(string name)
        {
            using var stream = zip.GetEntry(name)!.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }

        Assert.Equal(["uk-shop", "us-shop"], CsvRecords(Read("stores.csv")).Select(r => r["Store"]));
        var ukOrders = CsvRecords(Read("stores/uk-shop/orders.csv"));
        Assert.Equal([("z-uk-1", 20m), ("z-uk-2", 35m)], ukOrders.Select(r => (r["Order"], Dec(r["Total (GBP)"]))));
        Assert.Equal("2026-11-22T15:30:00+00:00", ukOrders[0]["Placed at (Europe/London)"]);
        Assert.Equal([("z-uk-1", "MUG", 2m), ("z-uk-2", "TEE", 1m), ("z-uk-2", "MUG", 1m)],
            CsvRecords(Read("stores/uk-shop/order_lines.csv")).Select(r => (r["Order"], r["SKU"], Dec(r["Quantity"]))));
        Assert.Equal([("r-1", "z-uk-2", 10m)], CsvRecords(Read("stores/uk-shop/refunds.csv")).Select(r => (r["Refund"], r["Order"], Dec(r["Amount (GBP)"]))));
        var usOrders = CsvRecords(Read("stores/us-shop/orders.csv"));
        Assert.Equal([("z-us-1", 60m, "2026-11-25T06:30:00-05:00")], usOrders.Select(r => (r["Order"], Dec(r["Total (USD)"]), r["Placed at (America/New_York)"])));
        Assert.DoesNotContain(zip.Entries, e => Read(e.FullName).AsSpan().IndexOf("SECRET"u8) >= 0);
    }

    [Fact]
    public async Task Full_export_pages_through_more_orders_than_one_page()
    {
        var now = app.Clock.GetUtcNow();
        var count = OrganisationExport.PageSize * 2 + 17;
        await WriteAsync([.. Enumerable.Range(0, count).Select(i => (CommerceEvent)Order($"p-{i:D5}", TestStore.London, now.AddMinutes(-(i % 600)), ("SKU", 1, 1m)))]);
        using var response = await Admin().GetAsync("/api/tenants/acme/exports/full", Ct);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync(Ct)));
        using var stream = zip.GetEntry("stores/uk-shop/orders.csv")!.Open();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        var orders = CsvRecords(copy.ToArray());
        Assert.Equal(count, orders.Count);
        Assert.Equal(count, orders.Select(o => o["Order"]).Distinct(StringComparer.Ordinal).Count());
    }

    private static async Task AssertProblemAsync(HttpClient client, string url, HttpStatusCode status, string detailContains)
    {
        using var response = await client.GetAsync(url, Ct);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Json, Ct);
        Assert.Contains(detailContains, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static OrderPlaced Order(string id, TestStore store, DateTimeOffset placedAt, params (string Sku, int Quantity, decimal Price)[] lines) => new()
    {
        Store = new StoreRef(store.TenantId, store.StoreId),
        Channel = SalesChannel.Shopify,
        EventId = id,
        OccurredAt = placedAt,
        StoreTimeZone = store.TimeZone,
        Currency = store.Currency,
        OrderId = id,
        PlacedAt = placedAt,
        Version = placedAt,
        TotalPrice = lines.Sum(l => l.Quantity * l.Price),
        Lines = [.. lines.Select(l => new OrderLine(l.Sku, $"Title of {l.Sku}", l.Quantity, l.Price))],
        CountryCode = "GB",
    };

    private async Task WriteAsync(params CommerceEvent[] events)
    {
        var batch = new HistoryBatch();
        foreach (var e in events)
        {
            batch.Add(e);
        }

        await app.Services.GetRequiredService<IHistoryStore>().WriteFactsAsync(batch, Ct);
    }

    private sealed record Delta(decimal? Value, decimal? Previous);

    private sealed record Kpis(Delta GrossRevenue, Delta Orders);

    private sealed record SummaryBody(string Currency, Kpis Kpis);

    private sealed record Point(DateTime Start, decimal GrossRevenue);

    private sealed record TrendBody(IReadOnlyList<Point> Points);

    private sealed record Row(string Key, decimal GrossRevenue, long Units, long Orders, decimal? RevenueShare);

    private sealed record HistoryApiTestsBreakdown(IReadOnlyList<Row> Rows);
}
