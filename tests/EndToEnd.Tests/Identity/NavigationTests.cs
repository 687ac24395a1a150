using System.Text.Json;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.Web.Identity;

namespace SalesDash.EndToEnd.Tests.Identity;

/// <summary>The top bar fits a laptop: one row, nothing pushed past its edge, the organisation's pages in a Settings menu.</summary>
public sealed class NavigationTests(SalesDashApp app, ChromiumBrowser browser)
{
    private static readonly float Timeout = (float)DashboardPage.DefaultTimeout.TotalMilliseconds;

    /// <summary>Each child's vertical centre and right edge, and the bar's own right edge and scroll width.</summary>
    private const string Measure = """
        nav => {
          const box = nav.getBoundingClientRect();
          const items = [...nav.children].map(c => { const r = c.getBoundingClientRect(); return { middle: r.top + r.height / 2, right: r.right }; });
          return JSON.stringify({ right: box.right, clientWidth: nav.clientWidth, scrollWidth: nav.scrollWidth, items });
        }
        """;

    [Theory]
    [InlineData(1280)]
    [InlineData(1440)]
    public async Task An_admin_s_navigation_is_one_row_that_fits_the_window(int width)
    {
        // An Owner sees every link and the fullest Settings menu: the widest the bar gets.
        var owner = await TestSignIn.CreateMemberAsync(app.Services, OrgRole.Owner, TestStore.Revenue.TenantId);
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        await page.SetViewportSizeAsync(width, 900);
        await page.GotoAsync(new Uri(app.BaseAddress, "sign-in").ToString());
        await page.GetByLabel("E-mail").FillAsync(owner);
        await page.GetByLabel("Password").FillAsync(TestSignIn.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // Signed in (the cookie is set) before going to the dashboard, or it sends us back to sign-in.
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, TestStore.Revenue.DashboardPath.TrimStart('/')).ToString());
        var nav = page.GetByTestId("app-nav");
        await Assertions.Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Reports" })).ToBeVisibleAsync();
        await Assertions.Expect(nav.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();

        using var measured = JsonDocument.Parse(await nav.EvaluateAsync<string>(Measure));
        var root = measured.RootElement;
        var middles = root.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("middle").GetDouble()).ToList();
        var rights = root.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("right").GetDouble()).ToList();
        Assert.True(middles.Count >= 9, $"only {middles.Count} items in the bar");
        Assert.True(middles.Max() - middles.Min() < 4, $"the bar wraps at {width} px: item centres at {string.Join(", ", middles)}");
        Assert.True(root.GetProperty("scrollWidth").GetDouble() <= root.GetProperty("clientWidth").GetDouble(),
            $"the bar overflows at {width} px: {root.GetProperty("scrollWidth")} > {root.GetProperty("clientWidth")}");
        Assert.True(rights.Max() <= root.GetProperty("right").GetDouble() + 0.5, $"an item ends past the bar at {width} px");

        // The organisation's pages are one click away, in the Settings menu.
        await nav.GetByText("Settings", new() { Exact = true }).ClickAsync();
        foreach (var name in new[] { "Metrics", "Audit", "Plan", "Branding", "Organisation", "Quarantine" })
        {
            await Assertions.Expect(nav.GetByRole(AriaRole.Link, new() { Name = name, Exact = true })).ToBeVisibleAsync();
        }

        await nav.GetByRole(AriaRole.Link, new() { Name = "Organisation", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/settings$"));
        await Assertions.Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Metrics", Exact = true })).ToBeHiddenAsync();
        await page.Context.CloseAsync();
    }
}
