using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SalesDash.Contracts.Commerce;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;
using SalesDash.EndToEnd.Tests.Reports;
using SalesDash.Engine.History;
using SalesDash.Web.Identity;

namespace SalesDash.EndToEnd.Tests.Goals;

/// <summary>A person sets a day goal on the Goals page and reads its progress and pace; a goal that makes no sense is refused with the reason.</summary>
/// <remarks>Uses the reports page's one-store app (EUR, UTC): a goal needs nothing more.</remarks>
public sealed class GoalsPageTests(ChromiumBrowser chromium, ReportsPageApp app) : IClassFixture<ReportsPageApp>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Goal_set_in_the_page_shows_its_progress_and_pace()
    {
        var ct = TestContext.Current.CancellationToken;
        await UtcDay.AwayFromMidnightAsync(ct);
        var now = DateTimeOffset.UtcNow;
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var placed = now.AddMinutes(-1);
        var batch = new HistoryBatch();
        batch.Add(new OrderPlaced
        {
            Store = ReportsPageApp.Shop.Ref, Channel = SalesChannel.Shopify, EventId = "goal-1", OccurredAt = placed, StoreTimeZone = "UTC",
            Currency = "EUR", OrderId = "goal-1", PlacedAt = placed, Version = placed, TotalPrice = 123m,
            Lines = [new OrderLine("LAMP", "Desk lamp", 1, 123m)], CountryCode = "DE",
        });
        await app.Services.GetRequiredService<IHistoryStore>().WriteFactsAsync(batch, ct);

        var analyst = await TestSignIn.CreateMemberAsync(app.Services, OrgRole.Analyst, ReportsPageApp.Shop.TenantId);
        var page = await chromium.NewPageAsync();
        await page.SignInAsync(app.BaseAddress, analyst);
        await page.GotoAsync(new Uri(app.BaseAddress, "/t/rep/goals").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Goals", Exact = true })).ToBeVisibleAsync(new() { Timeout = (float)Timeout.TotalMilliseconds });

        var form = page.GetByRole(AriaRole.Form, new() { Name = "New goal" });
        await form.GetByLabel("Name").FillAsync("Lamp day");
        await form.GetByLabel("Target").FillAsync("-3");
        await form.GetByRole(AriaRole.Button, new() { Name = "Set goal" }).ClickAsync();
        await Assertions.Expect(form.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Target must be a number above zero.", new() { Timeout = (float)Timeout.TotalMilliseconds });

        await form.GetByLabel("Target").FillAsync("1000");
        await form.GetByLabel("Store").SelectOptionAsync(new SelectOptionValue { Label = ReportsPageApp.Shop.Name });
        await form.GetByLabel("Pace").SelectOptionAsync("linear");
        await form.GetByRole(AriaRole.Button, new() { Name = "Set goal" }).ClickAsync();

        var card = page.GetByTestId("goal-Lamp day");
        // 123 of 1,000 taken: the bar is 12.3 % full whatever the hour; the pace sentence ends on today's date in EUR.
        await Assertions.Expect(card.GetByRole(AriaRole.Progressbar)).ToHaveAttributeAsync("aria-valuenow", "12.3", new() { Timeout = (float)Timeout.TotalMilliseconds });
        var day = today.ToString("d MMM yyyy", CultureInfo.InvariantCulture);
        await Assertions.Expect(card.GetByTestId("goal-sentence")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"^(On pace for|Behind: on pace for) [0-9,.]+ EUR.* by {day}\\.$"));
        await Assertions.Expect(card).ToContainTextAsync("Pace: linear over the period.");
        await page.ScreenshotAsync(new() { Path = RepositoryRoot.Combine("artifacts", "screenshots", "goals.png"), FullPage = true });
    }
}
