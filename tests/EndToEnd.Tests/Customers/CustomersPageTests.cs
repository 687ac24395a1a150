using System.Globalization;
using DuckDB.NET.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using SalesDash.Contracts.Commerce;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.Engine;
using SalesDash.Engine.History;
using SalesDash.Engine.History.DuckDb;
using SalesDash.Engine.History.Snapshots;

namespace SalesDash.EndToEnd.Tests.Customers;

/// <summary>A store of its own for the customers page, so no other test's orders reach its cohorts.</summary>
public sealed class CustomersPageApp : ServedSalesDash
{
    public static readonly TestStore Shop = new("cust", "cust-shop", "Customer Shop", "cust-shop.myshopify.com", "EUR", "UTC", $"shpss_cust_{Guid.NewGuid():N}");

    protected override SalesDashHostOptions CreateOptions() => new() { Stores = [Shop.Hosted()] };
}

/// <summary>
/// A person opens Customers from the Insights menu and reads the cohort table: every cell's count and share equal a
/// query the test runs itself on the history store (DuckDB), written without the app's SQL.
/// </summary>
public sealed class CustomersPageTests(ChromiumBrowser chromium, CustomersPageApp app) : IClassFixture<CustomersPageApp>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Cohort_table_cells_equal_a_sql_oracle_on_the_history_store()
    {
        var ct = TestContext.Current.CancellationToken;
        await UtcDay.AwayFromMidnightAsync(ct);
        await app.Services.GetRequiredService<IHistoryStore>().WriteFactsAsync(Seed(DateTimeOffset.UtcNow), ct);
        var oracle = await OracleAsync(ct);
        Assert.Contains(oracle, c => c.Key.K > 0 && c.Value > 0);

        var page = await chromium.NewPageAsync();
        await page.SignInAsync(app);
        await page.GotoAsync(new Uri(app.BaseAddress, CustomersPageApp.Shop.DashboardPath).ToString());
        await page.GetByTestId("app-nav").Locator("summary", new() { HasText = "Insights" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Customers" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Customers · Customer Shop" })).ToBeVisibleAsync(new() { Timeout = (float)Timeout.TotalMilliseconds });
        var table = page.GetByTestId("cohort-table");
        await Assertions.Expect(table.Locator("tbody tr")).ToHaveCountAsync(12, new() { Timeout = (float)Timeout.TotalMilliseconds });

        var now = DateTime.UtcNow;
        var current = new DateOnly(now.Year, now.Month, 1);
        var checkedCells = 0;
        for (var i = 0; i < 12; i++)
        {
            var month = current.AddMonths(i - 11);
            var label = month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            var row = table.Locator($"tbody tr[data-month='{label}']");
            var size = oracle.GetValueOrDefault((label, 0));
            await Assertions.Expect(row.Locator("td").First).ToHaveTextAsync(size.ToString(CultureInfo.InvariantCulture));
            for (var k = 0; k < 12; k++)
            {
                var cell = row.Locator($"td[data-k='{k}']");
                if (month.AddMonths(k) > current)
                {
                    await Assertions.Expect(cell).ToHaveTextAsync(string.Empty);
                    continue;
                }

                var count = oracle.GetValueOrDefault((label, k));
                await Assertions.Expect(cell).ToHaveAttributeAsync("data-customers", count.ToString(CultureInfo.InvariantCulture));
                if (size > 0)
                {
                    // The page shows one decimal of a share the server rounds to four: equal within display rounding.
                    var shown = decimal.Parse((await cell.TextContentAsync())!.TrimEnd('%'), CultureInfo.InvariantCulture);
                    Assert.InRange(shown, (100m * count / size) - 0.051m, (100m * count / size) + 0.051m);
                    Assert.Equal($"{count} of {size} customers who first ordered in {label} ordered in month {k}", await cell.GetAttributeAsync("title"));
                    checkedCells++;
                }
            }
        }

        Assert.True(checkedCells > 20, $"only {checkedCells} cells with a cohort behind them");
        await Assertions.Expect(page.GetByTestId("customer-orders")).ToContainTextAsync("unidentified");
        await page.ScreenshotAsync(new() { Path = RepositoryRoot.Combine("artifacts", "screenshots", "customers.png"), FullPage = true });
    }

    /// <summary>
    /// (first-order month "yyyy-MM", months since) → distinct customers, straight from history_orders: first order per
    /// customer key, cancelled orders and guests without a key left out, months counted on the calendar (UTC).
    /// </summary>
    private async Task<Dictionary<(string Month, int K), long>> OracleAsync(CancellationToken ct)
    {
        var options = app.Services.GetRequiredService<IOptions<EngineOptions>>().Value;
        using var connection = new DuckDBConnection(DuckDbMinuteSnapshotStore.ConnectionStringFor(options.DataDirectory));
        await connection.OpenAsync(ct);
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            WITH live AS (
                SELECT customer_key, placed_at FROM history_orders
                WHERE tenant_id = '{CustomersPageApp.Shop.TenantId}' AND store_id = '{CustomersPageApp.Shop.StoreId}' AND NOT cancelled AND customer_key <> ''),
            firsts AS (SELECT customer_key, min(placed_at) AS first_at FROM live GROUP BY customer_key)
            SELECT strftime(first_at, '%Y-%m'), datediff('month', date_trunc('month', first_at), date_trunc('month', placed_at)), count(DISTINCT customer_key)
            FROM live JOIN firsts USING (customer_key) GROUP BY 1, 2
            """;
        using var reader = await command.ExecuteReaderAsync(ct);
        var cells = new Dictionary<(string, int), long>();
        while (await reader.ReadAsync(ct))
        {
            cells[(reader.GetString(0), Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture))] = Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture);
        }

        return cells;
    }

    /// <summary>Orders over the last 15 months by 40 buyers (ids, e-mails only) and guests, some cancelled.</summary>
    private static HistoryBatch Seed(DateTimeOffset now)
    {
        var random = new Random(4);
        var batch = new HistoryBatch();
        for (var i = 0; i < 260; i++)
        {
            var placed = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() - random.Next(60, 450 * 86_400));
            var buyer = random.Next(40);
            var guest = random.Next(6) == 0;
            batch.Add(new OrderPlaced
            {
                Store = CustomersPageApp.Shop.Ref, Channel = SalesChannel.Shopify, EventId = $"cust-{i}", OccurredAt = placed, StoreTimeZone = "UTC",
                Currency = "EUR", OrderId = $"cust-{i}", PlacedAt = placed, Version = placed, TotalPrice = 20m + i,
                Lines = [new OrderLine("MUG", "Mug", 1, 20m + i)],
                CustomerId = guest || buyer % 2 == 0 ? null : $"c{buyer}",
                CustomerEmailHash = guest || buyer % 2 == 1 ? null : $"{buyer:x64}",
                CancelledAt = random.Next(20) == 0 ? placed : null,
            });
        }

        return batch;
    }
}
