using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.Web.Benchmarks;
using SalesDash.Web.Identity;
using static Microsoft.Playwright.Assertions;

namespace SalesDash.EndToEnd.Tests.Benchmarks;

/// <summary>The app for the public report walk: no stores of its own are needed, only a published cohort.</summary>
public sealed class BenchmarkReportApp : ServedSalesDash
{
    protected override SalesDashHostOptions CreateOptions() => new()
    {
        Stores = [],
        Settings = new Dictionary<string, string> { ["Benchmarks:JobEnabled"] = "false" },
    };
}

/// <summary>Someone with no account opens the free benchmark report, uploads an orders export, reads the report and downloads its PDF.</summary>
public sealed class BenchmarkReportPageTests(BenchmarkReportApp app, ChromiumBrowser browser) : IClassFixture<BenchmarkReportApp>
{
    /// <summary>The suite's one patience for a page under load (<see cref="Dashboards.LayoutSupport.Timeout"/>).</summary>
    private static readonly float Timeout = Dashboards.LayoutSupport.Timeout;

    [Fact]
    public async Task A_signed_out_visitor_uploads_an_export_sees_the_report_against_peers_and_downloads_the_pdf()
    {
        var ct = TestContext.Current.CancellationToken;

        // A published cohort of apparel shops' AOV, as the benchmark job writes it (six organisations, every size).
        var databases = app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>();
        await using (var db = await databases.CreateDbContextAsync(ct))
        {
            await db.Set<BenchmarkCohortRow>().ExecuteDeleteAsync(ct);
            db.Add(new BenchmarkCohortRow
            {
                Level = nameof(CohortLevel.Industry), Industry = "apparel", Band = PeerCohorts.Any, Metric = nameof(BenchmarkMetric.AverageOrderValue),
                Contributors = 6, P25 = 31.5m, P50 = 45m, P75 = 62.25m, ComputedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync(ct);
        }

        // Four orders in US dollars over the last three days: AOV (40 + 55 + 60 + 85) / 4 = 60.00.
        var csv = new StringBuilder("Name,Email,Created at,Currency,Total,Lineitem quantity,Lineitem price,Lineitem name\n");
        var day = DateTime.UtcNow.Date;
        foreach (var (id, daysAgo, total) in new[] { ("#1", 3, 40m), ("#2", 2, 55m), ("#3", 2, 60m), ("#4", 1, 85m) })
        {
            csv.Append(CultureInfo.InvariantCulture, $"{id},a{id[1..]}@example.com,{day.AddDays(-daysAgo).AddHours(10):yyyy-MM-dd HH:mm:ss},USD,{total},1,{total},Tee\n");
        }

        var page = await browser.NewPageAsync();
        await using var _ = page.Context;
        page.SetDefaultTimeout(Timeout);
        await page.GotoAsync(new Uri(app.BaseAddress, "benchmark-report").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Free benchmark report" })).ToBeVisibleAsync(new() { Timeout = Timeout });
        // Signed out, and the page did not send the visitor to sign in.
        await Expect(page).ToHaveURLAsync(new Uri(app.BaseAddress, "benchmark-report").ToString());

        await page.GetByLabel("Orders export").SetInputFilesAsync(new FilePayload { Name = "orders_export.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv.ToString()) });
        await page.GetByLabel("Industry").SelectOptionAsync("apparel");
        await page.GetByRole(AriaRole.Button, new() { Name = "Make my report" }).ClickAsync();

        var aov = page.GetByTestId("report-AverageOrderValue");
        await Expect(aov).ToContainTextAsync("$60.00", new() { Timeout = Timeout });
        await Expect(aov).ToContainTextAsync("$31.50");
        await Expect(aov).ToContainTextAsync("$45.00");
        await Expect(aov).ToContainTextAsync("$62.25");
        await Expect(aov).ToContainTextAsync("6 apparel shops of every size");
        await Expect(page.GetByTestId("report-ConversionRate")).ToContainTextAsync("Not in your file");
        await Expect(page.GetByTestId("benchmark-report")).ToContainTextAsync("4 orders read (shopify-orders layout)");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download PDF" }).ClickAsync());
        Assert.StartsWith("benchmark-report-apparel-", download.SuggestedFilename, StringComparison.Ordinal);
        var pdf = await File.ReadAllBytesAsync(await download.PathAsync(), ct);
        Assert.Equal("%PDF"u8.ToArray(), pdf[..4]);
    }
}
