using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.Web.Identity;

namespace SalesDash.EndToEnd.Tests.Identity;

/// <summary>What a new customer and a viewer see: signing up, adding a store and landing on its live dashboard.</summary>
public sealed partial class SignUpTests(SalesDashApp app, ChromiumBrowser browser)
{
    private static readonly float Timeout = (float)DashboardPage.DefaultTimeout.TotalMilliseconds;

    [Fact]
    public async Task A_new_customer_signs_up_adds_a_store_and_sees_its_live_dashboard()
    {
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        var unique = Guid.NewGuid().ToString("N")[..8];

        // Any page without a session goes to sign-in first, and from there to sign-up.
        await page.GotoAsync(app.BaseAddress.ToString());
        await Assertions.Expect(page).ToHaveURLAsync(SignInUrl());
        await page.GetByRole(AriaRole.Link, new() { Name = "Create an account" }).ClickAsync();

        await page.GetByLabel("Your name").FillAsync("Margaret Peacock");
        await page.GetByLabel("E-mail").FillAsync($"margaret-{unique}@example.test");
        await page.GetByLabel("Password").FillAsync("Sales-dash-2026");
        await page.GetByLabel("Organisation").FillAsync($"Peacock Pottery {unique}");
        await page.GetByLabel("Time zone").FillAsync("Europe/London");
        await page.GetByLabel("Reporting currency").FillAsync("GBP");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await Assertions.Expect(page.GetByText("No stores connected yet")).ToBeVisibleAsync();
        await page.GetByTestId("app-nav").GetByText("Settings", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Organisation" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Peacock Pottery {unique}" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("you are Owner")).ToBeVisibleAsync();

        await page.GetByLabel("Store name").FillAsync("Pottery UK");
        await page.GetByLabel("Shop domain").FillAsync($"pottery-{unique}.myshopify.com");
        await page.GetByLabel("Webhook secret").FillAsync($"shpss_{unique}_secret");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add store" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/dashboards/peacock-pottery-{unique}/pottery-uk$"));
        await Assertions.Expect(page.GetByTestId("connection-status")).ToHaveTextAsync("Live");
        await Assertions.Expect(page.GetByLabel("Organisation and store")).ToHaveValueAsync($"peacock-pottery-{unique}/pottery-uk");
        await page.ScreenshotAsync(new() { Path = RepositoryRoot.Combine("artifacts", "screenshots", "signed-up-store.png") });
    }

    [Fact]
    public async Task A_viewer_sees_the_dashboard_but_no_admin_actions()
    {
        var viewer = await TestSignIn.CreateMemberAsync(app.Services, OrgRole.Viewer, TestStore.Revenue.TenantId);
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(Timeout);

        await page.GotoAsync(new Uri(app.BaseAddress, "sign-in").ToString());
        await page.GetByLabel("E-mail").FillAsync(viewer);
        await page.GetByLabel("Password").FillAsync(TestSignIn.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();

        await page.GotoAsync(new Uri(app.BaseAddress, TestStore.Revenue.DashboardPath.TrimStart('/')).ToString());
        await Assertions.Expect(page.GetByTestId("connection-status")).ToHaveTextAsync("Live");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Organisation" })).ToHaveCountAsync(0);

        await page.GotoAsync(new Uri(app.BaseAddress, $"t/{TestStore.Revenue.TenantId}/settings").ToString());
        await Assertions.Expect(page.GetByText("you are Viewer")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Add store" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create key" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Invite" })).ToHaveCountAsync(0);

        // Dashboards are listed to read, without the controls to create, rename or delete them.
        await page.GotoAsync(new Uri(app.BaseAddress, $"t/{TestStore.Revenue.TenantId}/dashboards").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboards" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("New dashboard")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create wallboard link" })).ToHaveCountAsync(0);

        // A dashboard an analyst built opens live for the viewer, without the controls to change, share or export it.
        var analyst = await TestSignIn.CreateMemberAsync(app.Services, OrgRole.Analyst, TestStore.Revenue.TenantId);
        using var analystHttp = await TestSignIn.SignedInClientAsync(app.BaseAddress, analyst);
        var board = new
        {
            name = "Viewer board",
            layout = new[] { new { i = "sales", x = 0, y = 0, w = 4, h = 3 } },
            widgets = new[] { new { id = "sales", kind = "kpi", title = "Revenue", settings = new { metric = "gross-revenue", period = "today", comparison = "none" } } },
        };
        using var created = await analystHttp.PostAsJsonAsync($"api/tenants/{TestStore.Revenue.TenantId}/dashboards", board, TestContext.Current.CancellationToken);
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetString();

        await page.GotoAsync(new Uri(app.BaseAddress, $"t/{TestStore.Revenue.TenantId}/dashboards/{id}").ToString());
        await Assertions.Expect(page.GetByTestId("board-name")).ToHaveTextAsync("Viewer board");
        await Assertions.Expect(page.GetByTestId("connection-status")).ToHaveTextAsync("Live");
        await Assertions.Expect(page.GetByTestId("widget-sales")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Rename" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Share to a TV" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Add a widget" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("widget-sales").GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
    }

    [GeneratedRegex("/sign-in$")]
    private static partial Regex SignInUrl();
}

/// <summary>The browsable API documentation.</summary>
public sealed class ApiDocsTests(SalesDashApp app, ChromiumBrowser browser)
{
    [Fact]
    public async Task The_api_docs_page_renders_the_operations_of_the_openapi_document()
    {
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout((float)DashboardPage.DefaultTimeout.TotalMilliseconds);

        // The server generates /openapi/v1.json once, from start (OpenApiDocumentCache); before, the first request
        // generated it (8.7 s at load 51). Swagger UI then draws the operations from it: wait for what it draws, each
        // with the page's timeout, never for a fixed time.
        var document = page.WaitForResponseAsync(r => r.Url.EndsWith(SalesDash.Web.OpenApi.OpenApiHosting.DocumentPath, StringComparison.Ordinal));
        await page.GotoAsync(new Uri(app.BaseAddress, "api/docs").ToString());
        var served = await document;
        Assert.Equal(200, served.Status);
        Assert.True(served.Headers.ContainsKey("etag"));

        await page.GetByRole(AriaRole.Heading, new() { Name = "SalesDash API" }).WaitForAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "ApiKeysApi", Exact = true }).ClickAsync();
        await page.Locator("[data-path='/api/tenants/{tenantId}/api-keys']").First.WaitForAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Authorize" })).ToBeVisibleAsync();
    }
}
