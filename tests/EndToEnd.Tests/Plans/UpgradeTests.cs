using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.Engine.Stores;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Plans;
using static Microsoft.Playwright.Assertions;

namespace SalesDash.EndToEnd.Tests.Plans;

/// <summary>The app as sold (trial, Free, Stripe billing) on Kestrel, with the local fake Stripe and its hosted Checkout page.</summary>
public sealed class BillingApp : ServedSalesDash
{
    public FakeStripe Stripe { get; private set; } = null!;

    protected override async Task BeforeStartAsync() => Stripe = await FakeStripe.StartAsync();

    protected override SalesDashHostOptions CreateOptions() => new()
    {
        SelfHosted = false,
        Stores = [],
        Settings = new Dictionary<string, string>(FakeStripe.Settings(Stripe.BaseAddress)) { ["Plans:NoticesEnabled"] = "false" },
    };

    protected override Task AfterStartAsync()
    {
        Stripe.WebhookTarget = new Uri(BaseAddress, "webhooks/stripe-billing");
        return Task.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Stripe.DisposeAsync();
    }
}

/// <summary>Sign up, see the trial, fall to Free, be refused a second dashboard with the way up, pay in Checkout, have the limit lifted.</summary>
public sealed class UpgradeTests(BillingApp app, ChromiumBrowser browser) : IClassFixture<BillingApp>
{
    [Fact]
    public async Task Sign_up_trial_banner_free_refusal_then_checkout_lifts_the_dashboard_limit()
    {
        var ct = TestContext.Current.CancellationToken;
        var page = await browser.NewPageAsync();
        await using var _ = page.Context;
        var organisation = $"Upgrade {Guid.NewGuid():N}"[..16];

        await page.GotoAsync(new Uri(app.BaseAddress, "sign-up").ToString());
        await page.GetByLabel("Your name").FillAsync("Olive Owner");
        await page.GetByLabel("E-mail").FillAsync($"olive-{Guid.NewGuid():N}@test.salesdash");
        await page.GetByLabel("Password (10+ characters").FillAsync(TestSignIn.Password);
        await page.GetByLabel("Organisation").FillAsync(organisation);
        await page.GetByLabel("Time zone").FillAsync("Europe/London");
        await page.GetByLabel("Reporting currency").FillAsync("GBP");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.GetByTestId("plan-banner")).ToContainTextAsync("Growth trial: 14 days left.");

        // Fifteen days on: the organisation (with its shop) is past its trial.
        string tenant;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppIdentityDbContext>();
            var org = await db.Organisations.SingleAsync(o => o.Name == organisation, ct);
            org.CreatedAt = DateTimeOffset.UtcNow.AddDays(-15);
            await db.SaveChangesAsync(ct);
            tenant = org.Id;
            await scope.ServiceProvider.GetRequiredService<IStoreDirectory>().UpsertAsync(
                new StoreProfile(new StoreRef(tenant, "shop"), "Shop", SalesChannel.Shopify, $"{tenant}.myshopify.com", "GBP", "Europe/London", "secret-0123456789"), ct);
        }

        await page.GotoAsync(new Uri(app.BaseAddress, $"t/{tenant}/dashboards").ToString());
        await Expect(page.GetByTestId("plan-banner")).ToContainTextAsync("Your trial has ended: this organisation is on the Free plan.");
        // A created dashboard opens in the editor; back to the list for the next one.
        await CreateBoardAsync(page, "First");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/t/{tenant}/dashboards/.+"));
        await page.GotoAsync(new Uri(app.BaseAddress, $"t/{tenant}/dashboards").ToString());
        await Expect(page.GetByTestId("boards-list").Locator("li")).ToHaveCountAsync(1);
        await CreateBoardAsync(page, "Second");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The Free plan allows 1 dashboard; this organisation has 1. The Starter plan allows 5.");
        await Expect(page.GetByTestId("boards-list").Locator("li")).ToHaveCountAsync(1);

        await page.GetByTestId("plan-banner").GetByRole(AriaRole.Link, new() { Name = "Choose a plan" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Starter" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pay for price_starter_monthly" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay" }).ClickAsync();
        await Expect(page.GetByTestId("checkout-returned")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("plan-tier")).ToContainTextAsync("Starter (subscription · active)");

        await page.GotoAsync(new Uri(app.BaseAddress, $"t/{tenant}/dashboards").ToString());
        await CreateBoardAsync(page, "Second");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/t/{tenant}/dashboards/.+"));
        await page.GotoAsync(new Uri(app.BaseAddress, $"t/{tenant}/dashboards").ToString());
        await Expect(page.GetByTestId("boards-list").Locator("li")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("plan-banner")).ToHaveCountAsync(0);
    }

    private static async Task CreateBoardAsync(IPage page, string name)
    {
        await page.GetByLabel("New dashboard").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
    }
}
