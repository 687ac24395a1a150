using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.Web.Benchmarks;
using SalesDash.Web.Identity;
using static Microsoft.Playwright.Assertions;

namespace SalesDash.EndToEnd.Tests.Dashboards;

/// <summary>A person adds "you vs peers" to a board and reads the cohort's quartiles, who they come from, and how many.</summary>
[Collection(WallboardAppCollection.Name)]
public sealed class PeersWidgetTests(WallboardApp app, ChromiumBrowser browser)
{
    private const string Tenant = "wall";

    [Fact]
    public async Task The_peers_widget_shows_the_conversion_quartiles_of_all_shops_and_how_many_contribute()
    {
        var ct = TestContext.Current.CancellationToken;

        // A published cohort of every organisation, as the benchmark job writes it; the wall organisation has no industry.
        var databases = app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>();
        await using (var db = await databases.CreateDbContextAsync(ct))
        {
            await db.Set<BenchmarkCohortRow>().ExecuteDeleteAsync(ct);
            db.Add(new BenchmarkCohortRow
            {
                Level = nameof(CohortLevel.All), Industry = PeerCohorts.Any, Band = PeerCohorts.Any, Metric = nameof(BenchmarkMetric.ConversionRate),
                Contributors = 6, P25 = 0.012m, P50 = 0.027m, P75 = 0.043m, ComputedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync(ct);
        }

        var page = await LayoutSupport.NewPageAsync(browser);
        await using var _ = page.Context;
        await page.SignInAsync(app);
        await page.GotoAsync(new Uri(app.BaseAddress, $"t/{Tenant}/dashboards").ToString());
        await page.GetByLabel("New dashboard").FillAsync("Peers");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add You vs peers" }).ClickAsync();
        await Expect(page.GetByTestId("save-status")).ToHaveTextAsync("All changes saved");

        var widget = page.GetByTestId("widget-peers-1-peers");
        await Expect(widget).ToContainTextAsync("1.2%", new() { Timeout = LayoutSupport.Timeout });
        await Expect(widget).ToContainTextAsync("2.7%");
        await Expect(widget).ToContainTextAsync("4.3%");
        await Expect(page.GetByTestId("widget-peers-1-peers-cohort")).ToHaveTextAsync("Compared with 6 shops of every industry, last 28 days");
        Assert.Empty(await LayoutSupport.SeriousAccessibilityViolationsAsync(page));
    }
}
