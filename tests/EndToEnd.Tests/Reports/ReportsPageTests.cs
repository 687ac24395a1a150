using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SalesDash.Contracts.Commerce;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.Engine.History;
using SalesDash.Web.Identity;

namespace SalesDash.EndToEnd.Tests.Reports;

/// <summary>A person creates a daily report on the Reports page, runs it now, and finds the send and its PDF in the history.</summary>
public sealed class ReportsPageTests(ChromiumBrowser chromium, ReportsPageApp app) : IClassFixture<ReportsPageApp>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Report_created_in_the_page_runs_now_and_shows_in_its_history_with_the_pdf()
    {
        var ct = TestContext.Current.CancellationToken;
        await UtcDay.AwayFromMidnightAsync(ct);
        var yesterdayNoon = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1).AddHours(12), TimeSpan.Zero);
        var batch = new HistoryBatch();
        batch.Add(new OrderPlaced
        {
            Store = ReportsPageApp.Shop.Ref, Channel = SalesChannel.Shopify, EventId = "rep-1", OccurredAt = yesterdayNoon, StoreTimeZone = "UTC",
            Currency = "EUR", OrderId = "rep-1", PlacedAt = yesterdayNoon, Version = yesterdayNoon, TotalPrice = 1234.5m,
            Lines = [new OrderLine("LAMP", "Desk lamp", 3, 411.5m)], CountryCode = "DE",
        });
        await app.Services.GetRequiredService<IHistoryStore>().WriteFactsAsync(batch, ct);

        // Reports are an Analyst's to build and run: the person is one, in this organisation only.
        var analyst = await TestSignIn.CreateMemberAsync(app.Services, OrgRole.Analyst, ReportsPageApp.Shop.TenantId);
        var page = await chromium.NewPageAsync();
        await page.SignInAsync(app.BaseAddress, analyst);
        await page.GotoAsync(new Uri(app.BaseAddress, "/t/rep/reports").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Reports of rep" })).ToBeVisibleAsync(new() { Timeout = (float)Timeout.TotalMilliseconds });

        await page.GetByRole(AriaRole.Button, new() { Name = "New report" }).ClickAsync();
        var form = page.GetByRole(AriaRole.Form, new() { Name = "New report" });
        await form.GetByLabel("Name", new() { Exact = true }).FillAsync("Daily lamps");
        await form.GetByLabel("Send at").FillAsync("06:30");
        var recipient = $"lamps-{Guid.NewGuid():N}@example.test";
        await form.GetByLabel("Recipients").FillAsync(recipient);
        await form.GetByRole(AriaRole.Button, new() { Name = "Save report" }).ClickAsync();

        var list = page.GetByTestId("reports-list");
        await Assertions.Expect(list).ToContainTextAsync("Daily lamps", new() { Timeout = (float)Timeout.TotalMilliseconds });
        await Assertions.Expect(list).ToContainTextAsync("daily at 06:30 (UTC)");
        await Assertions.Expect(list).ToContainTextAsync(recipient);

        await page.GetByRole(AriaRole.Button, new() { Name = "Run Daily lamps now" }).ClickAsync();
        var yesterday = DateTime.UtcNow.Date.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(page.GetByTestId("report-status"))
            .ToHaveTextAsync($"Daily lamps was sent to {recipient} for {yesterday}.", new() { Timeout = (float)Timeout.TotalMilliseconds });

        var history = page.GetByTestId("report-history");
        await Assertions.Expect(history.GetByTestId("report-send")).ToHaveCountAsync(1, new() { Timeout = (float)Timeout.TotalMilliseconds });
        await Assertions.Expect(history.GetByTestId("report-send-status")).ToHaveTextAsync("Sent");
        await Assertions.Expect(history).ToContainTextAsync(yesterday);
        await Assertions.Expect(history).ToContainTextAsync("manual");

        var download = await page.RunAndWaitForDownloadAsync(() => history.GetByRole(AriaRole.Link, new() { NameRegex = new("^Download") }).ClickAsync());
        var pdfPath = await download.PathAsync();
        var pdf = await File.ReadAllBytesAsync(pdfPath, ct);
        Assert.Equal("%PDF"u8.ToArray(), pdf[..4]);
        await page.ScreenshotAsync(new() { Path = RepositoryRoot.Combine("artifacts", "screenshots", "reports.png"), FullPage = true });
    }
}
