using System.Net.Http.Json;

using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.History;

/// <summary>
/// The real Online Retail sample, uploaded through the imports API into each history store, against an
/// independent SQL oracle over the raw CSV: every figure the API shows must match to the penny.
/// </summary>
public sealed class RetailOracleTests
{
    private static readonly DateOnly First = new(2010, 12, 1);
    private static readonly DateOnly Last = new(2011, 12, 9);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Kinds => ["DuckDb", "ClickHouse"];

    private static string RetailCsv => Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "datasets", "online-retail", "online-retail-sample-30k.csv"));

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Every_figure_of_the_api_matches_sql_over_the_raw_rows(string kind)
    {
        using var oracle = new RetailOracle(RetailCsv);
        await using var app = new HistoryApp(kind);
        var client = app.CreateSignedInClient();

        var import = await app.ImportAsync("acme", "uk-shop", await File.ReadAllBytesAsync(RetailCsv, Ct), "online-retail.csv", Ct);

        // The import: every row accounted for, stock adjustments reported by line, speed measured.
        Assert.Equal(("Completed", oracle.DataRows, oracle.DataRows), (import.Status, import.TotalRows, import.RowsDone));
        Assert.Equal(oracle.RejectedLines(), import.Errors.Select(e => e.Line));
        Assert.True(import.RowsPerSecond > 0, "rows per second is measured");

        // The whole year, then November against the 30 days before it.
        var year = await Summary(client, First, Last, "none");
        AssertTotals(oracle.TotalsBetween(First, Last), year.Kpis, previous: false);
        var november = await Summary(client, new DateOnly(2011, 11, 1), new DateOnly(2011, 11, 30), "previous");
        AssertTotals(oracle.TotalsBetween(new DateOnly(2011, 11, 1), new DateOnly(2011, 11, 30)), november.Kpis, previous: false);
        AssertTotals(oracle.TotalsBetween(new DateOnly(2011, 10, 2), new DateOnly(2011, 10, 31)), november.Kpis, previous: true);
        Assert.Null(year.Kpis.ConversionRate.Value);

        // Daily trend of November.
        var trend = (await client.GetFromJsonAsync<TrendBody>(
            "/api/tenants/acme/stores/uk-shop/history/trend?period=custom&from=2011-11-01&to=2011-11-30&compare=none&grain=day", HistoryApp.Json, Ct))!;
        var daily = oracle.Daily(new DateOnly(2011, 11, 1), new DateOnly(2011, 11, 30));
        Assert.Equal(30, trend.Points.Length);
        Assert.Equal(daily.OrderBy(d => d.Key).Select(d => (d.Key, d.Value.Gross, d.Value.Orders, d.Value.Units, d.Value.Refunds)),
            trend.Points.Select(p => (DateOnly.FromDateTime(p.Start), p.GrossRevenue, p.Orders, p.Units, p.Refunds)));

        // Top products by revenue and by units over the year, with return rates.
        var byRevenue = await Breakdown(client, "product", "revenue", 25);
        var expected = oracle.Products(First, Last);
        Assert.Equal(expected.Count, byRevenue.TotalGroups);
        Assert.Equal(expected.Take(25).Select(p => (p.Sku, p.Title, p.Revenue, p.Units, p.Orders, p.RefundedUnits, p.Refunded, p.ReturnRate)),
            byRevenue.Rows.Select(r => (r.Key, (string?)r.Label, r.GrossRevenue, r.Units, r.Orders, r.RefundedUnits, r.Refunds, r.ReturnRate)));
        var byUnits = await Breakdown(client, "product", "units", 10);
        Assert.Equal(oracle.Products(First, Last, "units DESC, revenue DESC, sku").Take(10).Select(p => (p.Sku, p.Units)),
            byUnits.Rows.Select(r => (r.Key, r.Units)));

        // Countries and the one channel.
        var countries = await Breakdown(client, "country", "revenue", null);
        Assert.Equal(oracle.Countries(First, Last).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, c.Value.Revenue, c.Value.Orders, c.Value.Units)),
            countries.Rows.Where(r => r.Orders > 0).OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => (r.Key, r.GrossRevenue, r.Orders, r.Units)));
        var channels = await Breakdown(client, "channel", "revenue", null);
        var all = oracle.TotalsBetween(First, Last);
        Assert.Equal([("Shopify", all.Gross, all.Orders, all.Refunds)], channels.Rows.Select(r => (r.Key, r.GrossRevenue, r.Orders, r.Refunds)));
    }

    private static void AssertTotals(RetailOracle.Totals expected, KpisBody kpis, bool previous)
    {
        decimal? Pick(KpiBody k) => previous ? k.Previous : k.Value;
        Assert.True(expected.Orders > 100, $"the oracle period should hold trade, got {expected.Orders} orders");
        Assert.Equal(
            (expected.Gross, expected.Orders, expected.Units, expected.Refunds, expected.Gross - expected.Refunds, expected.NewOrders, expected.ReturningOrders,
                expected.AverageOrderValue),
            (Pick(kpis.GrossRevenue), (long?)Pick(kpis.Orders), (long?)Pick(kpis.UnitsSold), Pick(kpis.Refunds), Pick(kpis.NetRevenue),
                (long?)Pick(kpis.NewCustomers), (long?)Pick(kpis.ReturningCustomers), Pick(kpis.AverageOrderValue)));
    }

    private static async Task<SummaryBody> Summary(HttpClient client, DateOnly from, DateOnly to, string compare) =>
        (await client.GetFromJsonAsync<SummaryBody>(
            $"/api/tenants/acme/stores/uk-shop/history/summary?period=custom&from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&compare={compare}", HistoryApp.Json, Ct))!;

    private static async Task<BreakdownBody> Breakdown(HttpClient client, string by, string rank, int? limit) =>
        (await client.GetFromJsonAsync<BreakdownBody>(
            $"/api/tenants/acme/stores/uk-shop/history/breakdown?by={by}&rank={rank}&period=custom&from={First:yyyy-MM-dd}&to={Last:yyyy-MM-dd}&compare=none"
            + (limit is null ? string.Empty : $"&limit={limit}"), HistoryApp.Json, Ct))!;

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(thisFile) ?? string.Empty })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SalesDash.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("No SalesDash.sln above the test binaries or this source file");
    }
}
