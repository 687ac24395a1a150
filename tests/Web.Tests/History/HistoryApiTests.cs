using System.Net;
using System.Net.Http.Json;
using System.Text;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.History;

/// <summary>The history and imports API on the default (DuckDB) store, through the real ingest path.</summary>
public sealed class HistoryApiTests(HistoryApiTests.QueryApp queryApp) : IClassFixture<HistoryApiTests.QueryApp>
{
    private const string Header =
        "Name,Email,Financial Status,Paid at,Currency,Subtotal,Shipping,Taxes,Total,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Refunded Amount,Cancelled at,Source,Shipping Country,Id";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Today is 2026-11-25 in London (UTC+0 in November); "now" is 15:30.</summary>
    private static string Today(int hour, int minute) => $"2026-11-25 {hour:00}:{minute:00}:00 +0000";

    private static byte[] Csv(params string[] rows) => Encoding.UTF8.GetBytes(string.Join("\n", [Header, .. rows]) + "\n");

    private static readonly byte[] TodaysOrders = Csv(
        $"#1001,ann@example.com,paid,{Today(9, 5)},GBP,30.00,4.00,0.00,34.00,0.00,{Today(9, 5)},2,Mug,10.00,MUG-1,0.00,,web,GB,9001",
        "#1001,,,,,,,,,,,1,Tea towel,10.00,TT-2,,,,,",
        $"#1002,bob@example.com,partially_refunded,{Today(11, 40)},GBP,45.50,0.00,0.00,45.50,0.00,{Today(10, 15)},1,Teapot,45.50,POT-9,12.25,,pos,GB,9002",
        $"#1003,ann@example.com,paid,{Today(12, 0)},GBP,20.00,0.00,0.00,20.00,0.00,{Today(12, 0)},4,Coaster,5.00,CST-3,0.00,,web,FR,9003",
        $"#1004,,paid,{Today(14, 59)},GBP,7.99,0.00,0.00,7.99,0.00,{Today(14, 59)},1,Spoon,7.99,SPN-1,0.00,,instagram,,9004",
        "#0999,ann@example.com,paid,2026-11-24 09:00:00 +0000,GBP,99.00,0.00,0.00,99.00,0.00,2026-11-24 09:00:00 +0000,1,Kettle,99.00,KET-1,0.00,,web,GB,8999");

    [Fact]
    public async Task Live_tiles_and_history_agree_on_todays_totals()
    {
        await using var app = new HistoryApp("DuckDb");
        var import = await app.ImportAsync("acme", "uk-shop", TodaysOrders, "orders_export.csv", Ct);
        var client = app.CreateSignedInClient();

        var tiles = (await client.GetFromJsonAsync<TilesBody>("/api/tenants/acme/stores/uk-shop/tiles", HistoryApp.Json, Ct))!;
        var summary = (await client.GetFromJsonAsync<SummaryBody>("/api/tenants/acme/stores/uk-shop/history/summary?period=today&compare=previous", HistoryApp.Json, Ct))!;
        var k = summary.Kpis;

        Assert.Equal(("Completed", 6, 0), (import.Status, import.EventsAccepted, import.ErrorCount));
        Assert.Equal((107.49m, 4m, 9m, 12.25m), (k.GrossRevenue.Value, k.Orders.Value, k.UnitsSold.Value, k.Refunds.Value));
        Assert.Equal((tiles.GrossRevenue.Value, tiles.Orders.Value, tiles.UnitsSold.Value, tiles.Refunds.Value, tiles.NetRevenue.Value),
            (k.GrossRevenue.Value!.Value, k.Orders.Value!.Value, k.UnitsSold.Value!.Value, k.Refunds.Value!.Value, k.NetRevenue.Value!.Value));
        Assert.Equal(tiles.AverageOrderValue.Value, k.AverageOrderValue.Value!.Value);
        // History's rollups count orders by whether their buyer was new: Ann ordered yesterday too, so both her orders
        // today are a returning customer's; Bob's and the order with no e-mail are a new customer's.
        Assert.Equal((2m, 2m), (k.NewCustomers.Value, k.ReturningCustomers.Value));
        // The live tiles count people: Bob is new, Ann is returning, and the order with no e-mail is a guest's.
        Assert.Equal((1m, 1m, 1m), (tiles.NewCustomers.Value, tiles.ReturningCustomers.Value, tiles.GuestOrders.Value));

        // Yesterday up to 15:30 had the one kettle; conversion is unknown without sessions, not zero.
        Assert.Equal((99m, 8.49m), (k.GrossRevenue.Previous, k.GrossRevenue.Change));
        Assert.Null(k.ConversionRate.Value);
        Assert.Equal(("GBP", "Europe/London", new DateOnly(2026, 11, 25), new DateOnly(2026, 11, 24)),
            (summary.Currency, summary.TimeZone, summary.Period.From, summary.Comparison!.From));
    }

    [Fact]
    public async Task Trend_and_breakdowns_show_where_todays_revenue_came_from()
    {
        await using var app = new HistoryApp("DuckDb");
        await app.ImportAsync("acme", "uk-shop", TodaysOrders, "orders_export.csv", Ct);
        var client = app.CreateSignedInClient();

        var trend = (await client.GetFromJsonAsync<TrendBody>("/api/tenants/acme/stores/uk-shop/history/trend?period=today", HistoryApp.Json, Ct))!;
        var sources = (await client.GetFromJsonAsync<BreakdownBody>("/api/tenants/acme/stores/uk-shop/history/breakdown?by=source&period=today", HistoryApp.Json, Ct))!;
        var products = (await client.GetFromJsonAsync<BreakdownBody>("/api/tenants/acme/stores/uk-shop/history/breakdown?by=product&period=today&rank=units&limit=2", HistoryApp.Json, Ct))!;

        Assert.Equal("hour", trend.Grain);
        Assert.Equal(16, trend.Points.Length);
        Assert.Equal([(9, 34m), (10, 45.5m), (12, 20m), (14, 7.99m)],
            trend.Points.Where(p => p.GrossRevenue != 0m).Select(p => (p.Start.Hour, p.GrossRevenue)));
        Assert.Equal(12.25m, trend.Points.Single(p => p.Start.Hour == 11).Refunds);

        Assert.Equal([("web", 1, 54m, 0m), ("pos", 2, 45.5m, 12.25m), ("instagram", 3, 7.99m, 0m)],
            sources.Rows.Select(r => (r.Key, r.Rank, r.GrossRevenue, r.Refunds)));
        Assert.Equal((5, 2), (products.TotalGroups, products.Rows.Length));
        Assert.Equal([("CST-3", 4L), ("MUG-1", 2L)], products.Rows.Select(r => (r.Key, r.Units)));
    }

    [Fact]
    public async Task Import_reports_bad_rows_with_their_line_numbers_and_imports_the_rest()
    {
        await using var app = new HistoryApp("DuckDb");
        var file = Csv(
            $"#2001,a@example.com,paid,,GBP,10.00,0.00,0.00,10.00,0.00,{Today(9, 0)},1,Mug,10.00,MUG-1,0.00,,web,GB,",
            $"#2002,b@example.com,paid,,GBP,30.00,0.00,0.00,30.00,0.00,{Today(9, 30)},1,Pot,20.00,POT-1,0.00,,web,GB,",
            "#2002,,,,,,,,,,,two,Lid,10.00,LID-1,,,,,",
            $"#2003,c@example.com,paid,,GBP,5.00,0.00,0.00,5.00,0.00,yesterday-ish,1,Pen,5.00,PEN-1,0.00,,web,GB,",
            ",,,,,,,,,,,1,Orphan,1.00,ORP-1,,,,,",
            $"#2004,d@example.com,paid,,GBP,12.00,0.00,0.00,12.00,0.00,{Today(10, 0)},3,Cup,4.00,CUP-1,0.00,,web,GB,",
            "#2004,too,few,fields");

        var import = await app.ImportAsync("acme", "uk-shop", file, "orders_export.csv", Ct);
        var summary = (await app.CreateSignedInClient().GetFromJsonAsync<SummaryBody>("/api/tenants/acme/stores/uk-shop/history/summary?period=today", HistoryApp.Json, Ct))!;

        Assert.Equal(("Completed", 7, 7, 0d), (import.Status, import.TotalRows, import.RowsDone, import.EtaSeconds));
        Assert.Equal([3, 4, 5, 6, 8], import.Errors.Select(e => e.Line));
        Assert.Contains("has a bad row at line 4", import.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("Lineitem quantity 'two'", import.Errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("Created at 'yesterday-ish'", import.Errors[2].Message, StringComparison.Ordinal);
        Assert.Contains("Name", import.Errors[3].Message, StringComparison.Ordinal);
        Assert.Contains("expected 20 fields but found 4", import.Errors[4].Message, StringComparison.Ordinal);
        Assert.Equal((22m, 2m, 4m), (summary.Kpis.GrossRevenue.Value, summary.Kpis.Orders.Value, summary.Kpis.UnitsSold.Value));
    }

    [Fact]
    public async Task Importing_the_same_file_again_changes_nothing()
    {
        await using var app = new HistoryApp("DuckDb");
        var client = app.CreateSignedInClient();
        var first = await app.ImportAsync("acme", "uk-shop", TodaysOrders, "orders_export.csv", Ct);
        var before = await client.GetStringAsync("/api/tenants/acme/stores/uk-shop/history/summary?period=last7&compare=none", Ct);
        var tilesBefore = (await client.GetFromJsonAsync<TilesBody>("/api/tenants/acme/stores/uk-shop/tiles", HistoryApp.Json, Ct))!;

        var second = await app.ImportAsync("acme", "uk-shop", TodaysOrders, "orders_export.csv", Ct);
        var after = await client.GetStringAsync("/api/tenants/acme/stores/uk-shop/history/summary?period=last7&compare=none", Ct);
        var tilesAfter = (await client.GetFromJsonAsync<TilesBody>("/api/tenants/acme/stores/uk-shop/tiles", HistoryApp.Json, Ct))!;

        Assert.Equal((6, 0), (first.EventsAccepted, first.EventsDuplicate));
        Assert.Equal((0, 6), (second.EventsAccepted, second.EventsDuplicate));
        Assert.Equal(before, after);
        Assert.Contains("\"value\":99", before, StringComparison.Ordinal);
        Assert.Equal((tilesBefore.GrossRevenue.Value, tilesBefore.Orders.Value), (tilesAfter.GrossRevenue.Value, tilesAfter.Orders.Value));
    }

    [Fact]
    public async Task Tenant_wide_breakdown_ranks_the_tenants_stores_side_by_side()
    {
        await using var app = new HistoryApp("DuckDb");
        await app.ImportAsync("acme", "uk-shop", TodaysOrders, "uk.csv", Ct);
        await app.ImportAsync("acme", "us-shop", Csv(
            $"#5001,z@example.com,paid,,USD,500.00,0.00,0.00,500.00,0.00,{Today(12, 0)},5,Chair,100.00,CHR-1,0.00,,web,US,"), "us.csv", Ct);

        var stores = (await app.CreateSignedInClient().GetFromJsonAsync<BreakdownBody>("/api/tenants/acme/history/breakdown?by=store&period=today&compare=none",
            HistoryApp.Json, Ct))!;

        Assert.Equal([("us-shop", 1, 500m, 1L), ("uk-shop", 2, 107.49m, 4L)], stores.Rows.Select(r => (r.Key, r.Rank, r.GrossRevenue, r.Orders)));
        Assert.Equal("GBP,USD", stores.Currency);
        Assert.Equal(0.8231m, stores.Rows[0].RevenueShare);
    }

    [Theory]
    [InlineData("/api/tenants/acme/stores/uk-shop/history/summary?period=fortnight", HttpStatusCode.BadRequest)]
    [InlineData("/api/tenants/acme/stores/uk-shop/history/summary?period=custom&from=2026-11-10", HttpStatusCode.BadRequest)]
    [InlineData("/api/tenants/acme/stores/uk-shop/history/summary?period=custom&from=2026-11-10&to=2026-11-01", HttpStatusCode.BadRequest)]
    [InlineData("/api/tenants/acme/stores/uk-shop/history/summary?period=custom&from=10/11/2026&to=2026-11-12", HttpStatusCode.BadRequest)]
    [InlineData("/api/tenants/acme/stores/uk-shop/history/summary?period=last7&from=2026-11-01&to=2026-11-10", HttpStatusCode.BadRequest)]
    [InlineData("/api/tenants/acme/stores/uk-shop/customers/summary?period=last30&from=2026-11-01&to=2026-11-10", HttpStatusCode.BadRequest)]
    [InlineData("/api/tenants/acme/stores/uk-shop/shipments?period=today&from=2026-11-01", HttpStatusCode.BadRequest)]
    [InlineData("/api/tenants/acme/insights/channels?period=mtd&to=2026-11-10", HttpStatusCode.BadRequest)]
    [InlineData("/api/tenants/acme/stores/uk-shop/history/summary?compare=sometime", HttpStatusCode.BadRequest)]
    [InlineData("/api/tenants/acme/stores/uk-shop/history/trend?period=last90&grain=minute", HttpStatusCode.BadRequest)]
    [InlineData("/api/tenants/acme/stores/uk-shop/history/trend?grain=fortnight", HttpStatusCode.BadRequest)]
    [InlineData("/api/tenants/acme/stores/uk-shop/history/breakdown?by=colour", HttpStatusCode.BadRequest)]
    [InlineData("/api/tenants/acme/stores/uk-shop/history/breakdown?by=product&limit=0", HttpStatusCode.BadRequest)]
    [InlineData("/api/tenants/acme/history/breakdown?by=store&timeZone=Mars/Olympus", HttpStatusCode.BadRequest)]
    [InlineData("/api/tenants/acme/stores/nope/history/summary", HttpStatusCode.NotFound)]
    [InlineData("/api/tenants/nobody/history/breakdown?by=store", HttpStatusCode.NotFound)]
    [InlineData("/api/imports/3f2504e0-4f89-11d3-9a0c-0305e82c3301", HttpStatusCode.NotFound)]
    [InlineData("/api/tenants/acme/imports/3f2504e0-4f89-11d3-9a0c-0305e82c3301", HttpStatusCode.NotFound)]
    public async Task Bad_queries_are_problems_not_figures(string url, HttpStatusCode expected)
    {
        using var response = await queryApp.CreateSignedInClient().GetAsync(url, Ct);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_upload_that_is_not_an_import_is_a_problem()
    {
        // Every upload here is refused before anything is stored, so it shares the refused queries' host.
        var client = queryApp.CreateSignedInClient();

        using var noFile = await client.PostAsync("/api/tenants/acme/stores/uk-shop/imports", new MultipartFormDataContent(), Ct);
        using var unknown = new MultipartFormDataContent { { new ByteArrayContent("a,b,c\n1,2,3\n"u8.ToArray()), "file", "x.csv" } };
        using var notRecognised = await client.PostAsync("/api/tenants/acme/stores/uk-shop/imports", unknown, Ct);
        using var noStore = new MultipartFormDataContent { { new ByteArrayContent(TodaysOrders), "file", "x.csv" } };
        using var unknownStore = await client.PostAsync("/api/tenants/acme/stores/nope/imports", noStore, Ct);

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.NotFound),
            (noFile.StatusCode, notRecognised.StatusCode, unknownStore.StatusCode));
        Assert.Contains("is not one of the known layouts", await notRecognised.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    /// <summary>
    /// The host of <see cref="Bad_queries_are_problems_not_figures"/> and <see cref="An_upload_that_is_not_an_import_is_a_problem"/>:
    /// a <see cref="HistoryApp"/> on DuckDB that only answers refused queries and uploads, so those fifteen cases share one
    /// start (3-4 s each) instead of one host per case.
    /// </summary>
    public sealed class QueryApp() : SalesDashHost(new SalesDashHostOptions { Settings = HistoryApp.FastHistory() });

    private sealed record TileBody(decimal Value, decimal LastWeek);

    private sealed record TilesBody(TileBody GrossRevenue, TileBody NetRevenue, TileBody Refunds, TileBody Orders, TileBody AverageOrderValue,
        TileBody UnitsSold, TileBody NewCustomers, TileBody ReturningCustomers, TileBody GuestOrders);
}
