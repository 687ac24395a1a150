using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using static Microsoft.Playwright.Assertions;

namespace SalesDash.EndToEnd.Tests.Plans;

/// <summary>What people see of plans: a white-label organisation's wallboard in its own name, a Starter organisation told which plan it needs.</summary>
public sealed class BrandingTests(PlansApp app, ChromiumBrowser browser) : IClassFixture<PlansApp>
{
    /// <summary>A 1×1 PNG: small, valid, and rendered by the browser.</summary>
    private const string Logo = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Branded_organisations_wallboard_shows_its_product_name_and_logo()
    {
        var ct = TestContext.Current.CancellationToken;
        using (var put = await app.Http.PutAsJsonAsync("api/tenants/brand-co/branding",
                   new { productName = "Acme Pulse", primaryColour = "#7c3aed", accentColour = "#10b981", logoDataUri = Logo }, ct))
        {
            put.EnsureSuccessStatusCode();
        }

        var board = new
        {
            name = "Floor TV",
            layout = new[] { new { i = "sales", x = 0, y = 0, w = 4, h = 3 } },
            widgets = new[] { new { id = "sales", kind = "kpi", title = "Revenue", settings = new { metric = "gross-revenue", period = "today", comparison = "none" } } },
        };
        using var created = await app.Http.PostAsJsonAsync("api/tenants/brand-co/dashboards", board, ct);
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("id").GetString();
        using var share = await app.Http.PostAsync($"api/tenants/brand-co/dashboards/{id}/share", null, ct);
        share.EnsureSuccessStatusCode();
        var token = (await share.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("token").GetString();

        var page = await browser.NewPageAsync();
        await using var _ = page.Context;
        await page.GotoAsync(new Uri(app.BaseAddress, $"wall/{token}").ToString());

        await Expect(page.GetByTestId("wall-product")).ToHaveTextAsync("Acme Pulse");
        await Expect(page.GetByTestId("wall-logo")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("wall-logo")).ToHaveAttributeAsync("src", Logo);
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Acme Pulse logo" })).ToBeVisibleAsync();
        await Expect(page).ToHaveTitleAsync("Wallboard · Acme Pulse");
        Assert.Equal("#7c3aed", await page.EvaluateAsync<string>("getComputedStyle(document.documentElement).getPropertyValue('--brand-primary').trim()"));
    }

    [Fact]
    public async Task Starter_organisation_opening_branding_is_told_which_plan_includes_it()
    {
        var page = await browser.NewPageAsync();
        await using var _ = page.Context;
        await page.SignInAsync(app);
        await page.GotoAsync(new Uri(app.BaseAddress, "t/starter-co/branding").ToString());

        await Expect(page.GetByTestId("branding-refused")).ToHaveTextAsync("The Starter plan does not include white-label branding. The Scale plan includes it.");
        await Expect(page.GetByTestId("app-brand")).ToHaveTextAsync("SalesDash");
    }

    [Fact]
    public async Task Starter_organisation_creating_a_sixth_dashboard_is_told_the_limit_and_the_plan_that_allows_more()
    {
        var ct = TestContext.Current.CancellationToken;
        for (var i = (await CountDashboardsAsync(ct)) + 1; i <= 5; i++)
        {
            using var created = await app.Http.PostAsJsonAsync("api/tenants/starter-co/dashboards", new { name = $"Board {i}", layout = Array.Empty<object>(), widgets = Array.Empty<object>() }, ct);
            created.EnsureSuccessStatusCode();
        }

        var page = await browser.NewPageAsync();
        await using var _ = page.Context;
        await page.SignInAsync(app);
        await page.GotoAsync(new Uri(app.BaseAddress, "t/starter-co/dashboards").ToString());
        await Expect(page.GetByTestId("boards-list").Locator("li")).ToHaveCountAsync(5);
        await page.GetByLabel("New dashboard").FillAsync("Board 6");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The Starter plan allows 5 dashboards; this organisation has 5. The Growth plan allows unlimited.");
        await Expect(page.GetByTestId("boards-list").Locator("li")).ToHaveCountAsync(5);
    }

    private async Task<int> CountDashboardsAsync(CancellationToken ct) =>
        (await app.Http.GetFromJsonAsync<JsonElement>("api/tenants/starter-co/dashboards", Json, ct)).GetArrayLength();

    [Fact]
    public async Task Wallboard_widget_shows_a_custom_metric_computed_from_todays_history()
    {
        var ct = TestContext.Current.CancellationToken;
        using var metric = await app.Http.PostAsJsonAsync("api/tenants/brand-co/metrics", new { name = "Revenue plus float", formula = "revenue + 2 * 2.5", format = "currency" }, ct);
        metric.EnsureSuccessStatusCode();
        var metricId = (await metric.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("id").GetString();
        var board = new
        {
            name = "Metrics TV",
            layout = new[] { new { i = "float", x = 0, y = 0, w = 4, h = 3 } },
            widgets = new[] { new { id = "float", kind = "kpi", title = "Float", settings = new { metric = $"custom:{metricId}", period = "today", comparison = "none" } } },
        };
        using var created = await app.Http.PostAsJsonAsync("api/tenants/brand-co/dashboards", board, ct);
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("id").GetString();
        using var share = await app.Http.PostAsync($"api/tenants/brand-co/dashboards/{id}/share", null, ct);
        var token = (await share.Content.ReadFromJsonAsync<JsonElement>(Json, ct)).GetProperty("token").GetString();

        var page = await browser.NewPageAsync();
        await using var _ = page.Context;
        await page.GotoAsync(new Uri(app.BaseAddress, $"wall/{token}").ToString());

        // No orders in this store today: revenue 0, so the metric is 0 + 2 × 2.5 in the store's currency.
        await Expect(page.GetByTestId("widget-float-value-brand-shop")).ToHaveTextAsync("$5.00");
        await Expect(page.GetByTestId("widget-float-value-brand-shop")).ToHaveAttributeAsync("data-value", "5");
    }

    [Fact]
    public async Task Custom_metric_formula_mistake_is_pointed_at_before_saving()
    {
        var page = await browser.NewPageAsync();
        await using var _ = page.Context;
        await page.SignInAsync(app);
        await page.GotoAsync(new Uri(app.BaseAddress, "t/starter-co/metrics").ToString());

        await page.GetByTestId("metric-formula").FillAsync("net_revenue - cogs");

        await Expect(page.GetByTestId("formula-errors")).ToContainTextAsync("At 15: Unknown figure 'cogs'.");
        await Expect(page.GetByTestId("formula-errors").Locator("code")).ToContainTextAsync("              ^^^^");
        await page.GetByTestId("metric-formula").FillAsync("net_revenue / if_zero(orders, 1)");
        await Expect(page.GetByTestId("formula-ok")).ToContainTextAsync("net_revenue / if_zero(orders, 1)");
    }
}
