using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SalesDash.Contracts.Commerce;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.Engine.History;
using SalesDash.Web.Identity;

namespace SalesDash.EndToEnd.Tests.Reports;

/// <summary>
/// A person builds a report of a sale (a custom range, two metrics, CSV) on the Reports page, runs it now, downloads
/// it, opens its share link signed out (read-only), then revokes the link and the link stops working; the history
/// table's and the audit log's CSV buttons download the rows on screen.
/// </summary>
public sealed class ReportBuilderPageTests(ChromiumBrowser chromium, ReportsPageApp app) : IClassFixture<ReportsPageApp>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_sale_report_built_in_the_page_runs_downloads_shares_read_only_and_its_link_is_revoked()
    {
        var ct = TestContext.Current.CancellationToken;
        var batch = new HistoryBatch();
        // Two orders in the sale (28 and 29 November 2025, UTC), one the day after it.
        foreach (var (id, at, total) in new[]
        {
            ("sale-1", new DateTimeOffset(2025, 11, 28, 9, 0, 0, TimeSpan.Zero), 120.40m),
            ("sale-2", new DateTimeOffset(2025, 11, 29, 18, 0, 0, TimeSpan.Zero), 79.35m),
            ("after-1", new DateTimeOffset(2025, 11, 30, 10, 0, 0, TimeSpan.Zero), 500m),
        })
        {
            batch.Add(new OrderPlaced
            {
                Store = ReportsPageApp.Shop.Ref, Channel = SalesChannel.Shopify, EventId = id, OccurredAt = at, StoreTimeZone = "UTC",
                Currency = "EUR", OrderId = id, PlacedAt = at, Version = at, TotalPrice = total, Lines = [new OrderLine("LAMP", "Desk lamp", 1, total)], CountryCode = "DE",
            });
        }

        await app.Services.GetRequiredService<IHistoryStore>().WriteFactsAsync(batch, ct);
        var analyst = await TestSignIn.CreateMemberAsync(app.Services, OrgRole.Analyst, ReportsPageApp.Shop.TenantId);
        var page = await chromium.NewPageAsync();
        await page.SignInAsync(app.BaseAddress, analyst);
        await page.GotoAsync(new Uri(app.BaseAddress, "/t/rep/reports").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "New report" }).ClickAsync(new() { Timeout = (float)Timeout.TotalMilliseconds });

        var form = page.GetByRole(AriaRole.Form, new() { Name = "New report" });
        await form.GetByLabel("Name", new() { Exact = true }).FillAsync("Lamp sale");
        await form.GetByLabel("How often").SelectOptionAsync("custom");
        await form.GetByLabel("From", new() { Exact = true }).FillAsync("2025-11-28");
        await form.GetByLabel("To", new() { Exact = true }).FillAsync("2025-11-29");
        var recipient = $"sale-{Guid.NewGuid():N}@example.test";
        await form.GetByLabel("Recipients").FillAsync(recipient);
        // Only gross revenue and orders in the summary.
        foreach (var metric in new[] { "Net revenue", "Average order value", "Units sold", "Refunds", "Orders from new customers", "Orders from returning customers", "Conversion rate", "Sessions", "Cancelled orders" })
        {
            await form.GetByLabel(metric, new() { Exact = true }).UncheckAsync();
        }

        await form.GetByLabel("Format").SelectOptionAsync("csv");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save report" }).ClickAsync();

        var list = page.GetByTestId("reports-list");
        await Assertions.Expect(list).ToContainTextAsync("2025-11-28 to 2025-11-29, on request", new() { Timeout = (float)Timeout.TotalMilliseconds });

        await page.GetByRole(AriaRole.Button, new() { Name = "Run Lamp sale now" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-status"))
            .ToHaveTextAsync($"Lamp sale was sent to {recipient} for 2025-11-28 to 2025-11-29.", new() { Timeout = (float)Timeout.TotalMilliseconds });
        var history = page.GetByTestId("report-history");
        await Assertions.Expect(history.GetByTestId("report-send-status")).ToHaveTextAsync("Sent", new() { Timeout = (float)Timeout.TotalMilliseconds });
        await Assertions.Expect(history.GetByRole(AriaRole.Link, new() { NameRegex = new("^Download CSV") })).ToBeVisibleAsync();

        // The download from the list: the summary holds the two metrics picked, at the sale's figures.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download Lamp sale as CSV" }).ClickAsync());
        var csv = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(await download.PathAsync(), ct)).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Contains("rep-shop summary\nMetric,Value,Previous,Change,Change ratio,Unit,Period from,Period to,Compared from,Compared to\n"
            + $"Gross revenue,{(120.40m + 79.35m).ToString(CultureInfo.InvariantCulture)},", csv, StringComparison.Ordinal);
        Assert.Contains("\nOrders,2,", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("Units sold", csv, StringComparison.Ordinal);

        // The history table's own CSV button: the row on screen, as text.
        var historyCsv = await DownloadTextAsync(page, "Download History of Lamp sale as CSV", ct);
        var historyRows = historyCsv.TrimEnd('\n').Split('\n');
        Assert.Equal("When,Period,How,Recipients,Status,Attempts", historyRows[0]);
        Assert.Equal(2, historyRows.Length);
        Assert.Matches($"^\\d{{4}}-\\d{{2}}-\\d{{2}} \\d{{2}}:\\d{{2}} UTC,2025-11-28 to 2025-11-29,manual,{recipient},Sent,1$", historyRows[1]);

        // The share link, opened by someone not signed in: the page of figures, nothing to change.
        await page.GetByRole(AriaRole.Button, new() { Name = "Share Lamp sale" }).ClickAsync();
        var url = await page.GetByTestId("report-share-url").InputValueAsync(new() { Timeout = (float)Timeout.TotalMilliseconds });
        var stranger = await chromium.NewPageAsync();
        var opened = await stranger.GotoAsync(url);
        Assert.Equal(200, opened!.Status);
        await Assertions.Expect(stranger.GetByRole(AriaRole.Heading, new() { Name = "Lamp sale" })).ToBeVisibleAsync();
        await Assertions.Expect(stranger.Locator("body")).ToContainTextAsync("EUR 199.75");
        await Assertions.Expect(stranger.Locator("form, input, button")).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke the link of Lamp sale" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-status")).ToHaveTextAsync("The share link of Lamp sale no longer opens it.", new() { Timeout = (float)Timeout.TotalMilliseconds });
        var revoked = await stranger.GotoAsync(url);
        Assert.Equal(410, revoked!.Status);
        await Assertions.Expect(stranger.Locator("body")).ToContainTextAsync("Share link revoked");

        // The audit log's CSV button (an Admin's page): the report's creation, share and revocation are rows of it.
        var admin = await TestSignIn.CreateMemberAsync(app.Services, OrgRole.Admin, ReportsPageApp.Shop.TenantId);
        var adminPage = await chromium.NewPageAsync();
        await adminPage.SignInAsync(app.BaseAddress, admin);
        await adminPage.GotoAsync(new Uri(app.BaseAddress, "/t/rep/audit").ToString());
        await Assertions.Expect(adminPage.GetByTestId("audit-table")).ToContainTextAsync("RevokeReportShare", new() { Timeout = (float)Timeout.TotalMilliseconds });
        var onScreen = await adminPage.GetByTestId("audit-table").Locator("tbody tr").CountAsync();
        var audit = (await DownloadTextAsync(adminPage, "Download Audit log of rep as CSV", ct)).TrimEnd('\n').Split('\n');
        Assert.Equal("When,Who,Action,Target,Outcome,Change", audit[0]);
        Assert.Equal(onScreen, audit.Length - 1);
        Assert.Contains(audit, line => line.Contains(analyst, StringComparison.Ordinal) && line.Contains(",ShareReport,", StringComparison.Ordinal));
    }

    private static async Task<string> DownloadTextAsync(IPage page, string button, CancellationToken ct)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync());
        var bytes = await File.ReadAllBytesAsync(await download.PathAsync(), ct);
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        return Encoding.UTF8.GetString(bytes[3..]).Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}
