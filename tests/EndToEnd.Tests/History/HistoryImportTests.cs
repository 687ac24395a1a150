using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.History;

/// <summary>A merchant imports last week's Shopify export through the page, then reads it back on the History page.</summary>
[Collection(HistoryAppCollection.Name)]
public sealed class HistoryImportTests(ChromiumBrowser chromium, HistoryPageApp app)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private const string Header = "Name,Email,Currency,Subtotal,Shipping,Taxes,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Source";

    /// <summary>One line item of the export; the order-level fields are written on an order's first row only, as Shopify does.</summary>
    private sealed record ExportRow(string Order, string Email, int DaysAgo, decimal Total, string Quantity, string Item, decimal Price, string Sku);

    [Fact]
    public async Task Imported_export_lists_the_bad_row_and_history_shows_the_valid_rows_revenue()
    {
        var today = DateTime.UtcNow.Date;
        // Two to five days back: inside "last 7 days" (which ends at today's midnight) however close to midnight this runs.
        ExportRow[] rows =
        [
            new("#2001", "ann@example.com", 5, 64.50m, "2", "Mug", 12.25m, "MUG-1"),
            new("#2001", "", 5, 64.50m, "1", "Teapot", 40.00m, "POT-9"),
            new("#2002", "bob@example.com", 4, 19.99m, "1", "Tea towel", 19.99m, "TT-2"),
            new("#2003", "cat@example.com", 3, 250.00m, "two", "Kettle", 125.00m, "KET-1"),
            new("#2004", "ann@example.com", 3, 33.33m, "3", "Coaster", 11.11m, "CST-3"),
            new("#2005", "dan@example.com", 2, 120.10m, "1", "Grinder", 120.10m, "GRD-4"),
        ];

        var csv = new StringBuilder(Header).Append('\n');
        var seen = new HashSet<string>();
        foreach (var row in rows)
        {
            var first = seen.Add(row.Order);
            var created = today.AddDays(-row.DaysAgo).AddHours(10).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " +0000";
            csv.Append(CultureInfo.InvariantCulture, $"{row.Order},{(first ? row.Email : "")},{(first ? "USD" : "")},,,,")
                .Append(first ? row.Total.ToString(CultureInfo.InvariantCulture) : "")
                .Append(CultureInfo.InvariantCulture, $",{(first ? created : "")},{row.Quantity},{row.Item},{row.Price.ToString(CultureInfo.InvariantCulture)},{row.Sku},{(first ? "web" : "")}\n");
        }

        // Worked out from the rows, not from the app: line 1 is the header, so row i is on line i + 2; the order
        // with a quantity that is not a number is refused whole, the others count at their Total.
        var badRow = Array.FindIndex(rows, r => !int.TryParse(r.Quantity, CultureInfo.InvariantCulture, out _));
        var badLine = badRow + 2;
        var badOrder = rows[badRow].Order;
        var expectedRevenue = rows.Where(r => r.Order != badOrder).GroupBy(r => r.Order).Sum(g => g.First().Total);
        var days = rows.Where(r => r.Order != badOrder).GroupBy(r => r.Order).Select(g => g.First())
            .GroupBy(r => r.DaysAgo).Select(day => (Date: today.AddDays(-day.Key), Revenue: day.Sum(r => r.Total))).ToList();
        var (peakDate, expectedPeak) = days.MaxBy(d => d.Revenue);
        var expectedOrders = rows.Where(r => r.Order != badOrder).Select(r => r.Order).Distinct().Count();
        var file = new FilePayload { Name = "orders_export.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv.ToString()) };

        var page = await chromium.NewPageAsync();
        // Charts draw at once rather than sweeping in, so the screenshot shows the trend and not half of it.
        await page.EmulateMediaAsync(new() { ReducedMotion = ReducedMotion.Reduce });
        var console = new List<string>();
        page.Console += (_, message) => { lock (console) { console.Add($"[{message.Type}] {message.Text}"); } };
        page.PageError += (_, error) => { lock (console) { console.Add($"[pageerror] {error}"); } };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                lock (console) { console.Add($"[http {response.Status}] {response.Url}"); }
            }
        };
        try
        {
            await page.SignInAsync(app);
            await page.GotoAsync(new Uri(app.BaseAddress, $"stores/{HistoryPageApp.Shop.TenantId}/{HistoryPageApp.Shop.StoreId}/import").ToString());
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Import history");

            await page.GetByLabel("CSV file").SetInputFilesAsync(file);
            await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();

            var status = page.GetByTestId("import-status");
            await Assertions.Expect(status).ToHaveAttributeAsync("data-status", "Completed", new() { Timeout = Ms(Timeout) });
            await Assertions.Expect(page.GetByRole(AriaRole.Progressbar)).ToHaveAttributeAsync("aria-valuenow", "100");
            await Assertions.Expect(page.GetByTestId("import-eta")).ToHaveTextAsync("done");
            await Assertions.Expect(page.GetByTestId("import-error-line").First).ToHaveTextAsync(badLine.ToString(CultureInfo.InvariantCulture));
            await Assertions.Expect(page.GetByTestId("import-errors")).ToContainTextAsync(badOrder);
            await Assertions.Expect(page.GetByTestId("import-summary")).ToContainTextAsync($"Imported {expectedOrders} orders and refunds");

            // The same file again: every order is recognised, nothing changes, and the bad row is still pointed out.
            await page.GetByLabel("CSV file").SetInputFilesAsync(file);
            await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("import-summary")).ToContainTextAsync(
                $"Nothing changed: all {expectedOrders} orders and refunds in this file were already imported", new() { Timeout = Ms(Timeout) });
            await Assertions.Expect(page.GetByTestId("import-error-line").First).ToHaveTextAsync(badLine.ToString(CultureInfo.InvariantCulture));

            await page.GetByRole(AriaRole.Link, new() { Name = "See it in History" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(new Regex("^History · "));
            await Assertions.Expect(page.GetByTestId("period-select")).ToHaveValueAsync("last7");

            var revenue = await WaitForKpiAsync(page, "grossRevenue", expectedRevenue);
            Assert.Equal(expectedRevenue, revenue);
            await Assertions.Expect(page.GetByTestId("kpi-grossRevenue-value")).ToHaveTextAsync($"US${expectedRevenue.ToString("N2", CultureInfo.InvariantCulture)}");
            Assert.Equal(expectedOrders, await KpiAsync(page, "orders"));
            // Nothing before the file's first day: against the previous seven days every figure is new.
            await Assertions.Expect(page.GetByTestId("kpi-grossRevenue-delta")).ToContainTextAsync("▲ from US$0.00 vs previous period");
            await Assertions.Expect(page.GetByTestId("history-breakdown")).ToContainTextAsync(expectedRevenue.ToString("N2", CultureInfo.InvariantCulture));

            // The trend peaks on the day with the most revenue, and ECharts has drawn it on a canvas.
            var trend = page.GetByTestId("history-trend");
            await Assertions.Expect(trend).ToHaveAttributeAsync("aria-label", new Regex($@"highest US\${Regex.Escape(expectedPeak.ToString("N2", CultureInfo.InvariantCulture))} at "));
            await Assertions.Expect(trend.Locator("canvas")).ToHaveCountAsync(1);
            lock (console)
            {
                // Script errors or refused API calls would mean a figure on screen is stale or missing. (The browser's own
                // favicon request is a 404 the app has always answered; it is not the page's doing.)
                Assert.DoesNotContain(console, line => line.StartsWith("[pageerror]", StringComparison.Ordinal)
                    || (line.StartsWith("[http", StringComparison.Ordinal) && line.Contains("/api/", StringComparison.Ordinal)));
            }

            Directory.CreateDirectory(RepositoryRoot.Combine("artifacts", "screenshots"));
            await page.ScreenshotAsync(new() { Path = RepositoryRoot.Combine("artifacts", "screenshots", "history.png"), FullPage = true });

            // Narrowing to the best day (the keyboard route to what a click on the chart does) shows that day alone.
            await page.GetByText("Show the trend as a table").ClickAsync();
            var dayLabel = $"{peakDate.Day} {peakDate.ToString("MMM", CultureInfo.InvariantCulture)}";
            await page.GetByRole(AriaRole.Button, new() { Name = $"Look closer at {dayLabel}", Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("period-select")).ToHaveValueAsync("custom");
            await Assertions.Expect(page.GetByTestId("kpi-grossRevenue-value")).ToHaveTextAsync($"US${expectedPeak.ToString("N2", CultureInfo.InvariantCulture)}");
            await Assertions.Expect(page.GetByTestId("history-period")).ToContainTextAsync(peakDate.ToString("d MMM yyyy", CultureInfo.InvariantCulture));

            // On a phone in the dark theme: the same figures, and nothing wider than the screen (tables scroll inside their card).
            var phone = await chromium.Browser.NewContextAsync(new()
            {
                ViewportSize = new() { Width = 390, Height = 844 },
                IsMobile = true,
                HasTouch = true,
                ColorScheme = ColorScheme.Dark,
                ReducedMotion = ReducedMotion.Reduce,
                Locale = "en-US",
                TimezoneId = "UTC",
            });
            try
            {
                var small = await phone.NewPageAsync();
                await small.SignInAsync(app);
                await small.GotoAsync(new Uri(app.BaseAddress, $"stores/{HistoryPageApp.Shop.TenantId}/{HistoryPageApp.Shop.StoreId}/history").ToString());
                await Assertions.Expect(small.GetByTestId("kpi-grossRevenue-value")).ToHaveTextAsync($"US${expectedRevenue.ToString("N2", CultureInfo.InvariantCulture)}");
                await Assertions.Expect(small.GetByTestId("history-trend").Locator("canvas")).ToHaveCountAsync(1);
                Assert.True(await small.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
                    "The History page is wider than a 390 px phone screen.");
                Assert.Equal("rgb(13, 17, 23)", await small.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
                await small.ScreenshotAsync(new() { Path = RepositoryRoot.Combine("artifacts", "screenshots", "history-phone-dark.png"), FullPage = true });
            }
            finally
            {
                await phone.CloseAsync();
            }
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            string text;
            lock (console)
            {
                text = console.Count == 0 ? "(empty)" : string.Join('\n', console);
            }

            throw new Xunit.Sdk.XunitException($"{e.Message}\nBrowser console:\n{text}");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static float Ms(TimeSpan span) => (float)span.TotalMilliseconds;

    private static async Task<decimal?> KpiAsync(IPage page, string kpi)
    {
        var raw = await page.GetByTestId($"kpi-{kpi}-value").GetAttributeAsync("data-value");
        return decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>
    /// The KPI as the page shows it once the history writer has flushed the import (a fraction of a second after the
    /// import reports completion); the page is reloaded between looks, as a person would.
    /// </summary>
    private static async Task<decimal?> WaitForKpiAsync(IPage page, string kpi, decimal expected)
    {
        var clock = Stopwatch.StartNew();
        decimal? seen = null;
        while (clock.Elapsed < Timeout)
        {
            await Assertions.Expect(page.GetByTestId("history-kpis")).ToHaveAttributeAsync("aria-busy", "false", new() { Timeout = Ms(Timeout) });
            seen = await KpiAsync(page, kpi);
            if (seen == expected)
            {
                return seen;
            }

            await Task.Delay(300, TestContext.Current.CancellationToken);
            await page.ReloadAsync();
        }

        return seen;
    }
}
