using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Connectors.Currency;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Web.Plans;
using SalesDash.Web.Tests.Alerts;

namespace SalesDash.Web.Tests.Plans;

/// <summary>
/// What the owner is told and when (trial reminders, the retention warning, 80% and 100% of the revenue cap, sent
/// through the loopback SMTP server), and the revenue meter with its grace period before the live view closes.
/// </summary>
public sealed class PlanNoticesTests(PlansAppFactory app) : IClassFixture<PlansAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PlanNoticeJob Job => app.Services.GetRequiredService<PlanNoticeJob>();

    [Fact]
    public async Task Trial_reminders_go_to_the_owner_at_three_days_and_one_day_left_each_once()
    {
        var maildir = SmtpServer.Require().Maildir;
        var (_, tenant, email) = await app.SignUpAsync(Ct);

        Assert.DoesNotContain(await Job.RunOnceAsync(Ct), n => n.StartsWith($"{tenant}:trial", StringComparison.Ordinal));
        await app.SetTrialEndAsync(tenant, TimeSpan.FromDays(3) - TimeSpan.FromHours(1), Ct);
        var threeDays = await Job.RunOnceAsync(Ct);
        var again = await Job.RunOnceAsync(Ct);
        await app.SetTrialEndAsync(tenant, TimeSpan.FromHours(20), Ct);
        var oneDay = await Job.RunOnceAsync(Ct);

        Assert.Contains($"{tenant}:trial-3d", threeDays);
        Assert.DoesNotContain(again, n => n.StartsWith($"{tenant}:trial", StringComparison.Ordinal));
        Assert.Contains($"{tenant}:trial-1d", oneDay);
        var subjects = SmtpServer.MessagesContaining(maildir, email).Where(m => m.Subject?.Contains("trial", StringComparison.Ordinal) == true).Select(m => m.Subject).Order();
        var name = await NameAsync(tenant);
        Assert.Equal([$"{name}: your SalesDash trial ends in 1 day", $"{name}: your SalesDash trial ends in 3 days"], subjects);
    }

    [Fact]
    public async Task History_past_a_free_organisations_7_days_is_deleted_only_a_week_after_the_warning_email()
    {
        var maildir = SmtpServer.Require().Maildir;
        var (_, tenant, email) = await app.SignUpAsync(Ct);
        await app.SetTrialEndAsync(tenant, TimeSpan.Zero, Ct);
        var policy = app.Services.GetRequiredService<IHistoryRetentionPolicy>();

        Assert.Equal(RetentionPlan.Unlimited, await policy.RetentionForAsync(tenant, Ct));
        Assert.Contains($"{tenant}:retention-Days7", await Job.RunOnceAsync(Ct));
        var name = await NameAsync(tenant);
        Assert.Contains(SmtpServer.MessagesContaining(maildir, email), m => m.Subject == $"{name}: history older than 7 days will be deleted");
        app.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        Assert.Equal(RetentionPlan.Unlimited, await policy.RetentionForAsync(tenant, Ct));
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(RetentionPlan.Days7, await policy.RetentionForAsync(tenant, Ct));
    }

    [Fact]
    public async Task Revenue_is_metered_per_month_in_the_organisations_currency_warned_at_80_and_100_percent_and_the_live_view_closes_after_the_grace()
    {
        var maildir = SmtpServer.Require().Maildir;

        // The 2nd of next month, so a week of grace stays inside one calendar month.
        var now = app.Clock.GetUtcNow();
        var second = new DateTimeOffset(now.Year, now.Month, 2, 12, 0, 0, TimeSpan.Zero).AddMonths(1);
        app.Clock.Advance(second - now);
        now = app.Clock.GetUtcNow();

        // Signed up in GBP; its store sells in EUR; Starter's cap is $100K. Rates: 1 USD = 0.80 GBP, 1 EUR = 0.85 GBP.
        var tenant = await app.NewOrganisationAsync(PlanTier.Starter, Ct, "metered");
        var owner = await app.MemberAsync(tenant);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SalesDash.Web.Identity.AppIdentityDbContext>();
            var org = await db.Organisations.FindAsync([tenant], Ct);
            org!.ReportingCurrency = "GBP";
            await db.SaveChangesAsync(Ct);
        }

        var rates = app.Services.GetRequiredService<IExchangeRates>();
        await rates.UpsertAsync(new ExchangeRate("USD", "GBP", DateOnly.FromDateTime(now.UtcDateTime).AddDays(-5), 0.80m, "test"), Ct);
        await rates.UpsertAsync(new ExchangeRate("EUR", "GBP", DateOnly.FromDateTime(now.UtcDateTime).AddDays(-5), 0.85m, "test"), Ct);
        var history = app.Services.GetRequiredService<IHistoryStore>();
        await history.InitializeAsync(Ct);
        await WriteAsync(history, tenant, ("last-month", now.AddDays(-3), 500_000m), ("o1", now.AddHours(-2), 60_000m), ("o2", now.AddHours(-1), 20_000m));

        var plan = (await owner.Client.GetFromJsonAsync<PlanView>($"/api/tenants/{tenant}/plan", Json, Ct))!;
        Assert.Equal((second.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), "GBP", 68_000.00m, 80_000.00m, 85),
            (plan.Revenue.Month, plan.Revenue.Currency, plan.Revenue.Revenue, plan.Revenue.Cap, plan.Revenue.Percent));
        var month = plan.Revenue.Month;
        Assert.Contains($"{tenant}:revenue-80:{month}", await Job.RunOnceAsync(Ct));
        Assert.Contains(SmtpServer.MessagesContaining(maildir, owner.Email), m => m.Subject == $"{tenant}: 85% of this month's tracked revenue allowance used");

        await WriteAsync(history, tenant, ("o3", now.AddMinutes(-30), 20_000m));
        Assert.Contains($"{tenant}:revenue-100:{month}", await Job.RunOnceAsync(Ct));
        plan = (await owner.Client.GetFromJsonAsync<PlanView>($"/api/tenants/{tenant}/plan", Json, Ct))!;
        Assert.Equal((85_000.00m, 106, now, now.AddDays(7), false),
            (plan.Revenue.Revenue, plan.Revenue.Percent, plan.Revenue.OverCapSince, plan.Revenue.GraceEndsAt, plan.Revenue.LiveViewBlocked));
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync($"/api/tenants/{tenant}/stores/shop/tiles", Ct)).StatusCode);

        app.Clock.Advance(TimeSpan.FromDays(7));

        using var live = await owner.Client.GetAsync($"/api/tenants/{tenant}/stores/shop/tiles", Ct);
        var problem = await live.ProblemAsync(Ct);
        Assert.Equal((HttpStatusCode.Forbidden, "tracked revenue a month", "Growth"), (live.StatusCode, problem["limit"].GetString(), problem["upgradeTo"].GetString()));
        Assert.Contains("History and exports stay available.", problem["detail"].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync($"/api/tenants/{tenant}/stores/shop/history/summary?period=mtd", Ct)).StatusCode);
    }

    private async Task<string> NameAsync(string tenant)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<SalesDash.Web.Identity.AppIdentityDbContext>().Organisations.FindAsync([tenant], Ct))!.Name;
    }

    private static async Task WriteAsync(IHistoryStore history, string tenant, params (string Id, DateTimeOffset At, decimal Total)[] orders)
    {
        var batch = new HistoryBatch();
        foreach (var (id, at, total) in orders)
        {
            batch.Add(new OrderFact(tenant, "shop", SalesChannel.Shopify, id, 1, at, "EUR", total, 1, false, false, "direct", "DE", []));
        }

        await history.WriteFactsAsync(batch, Ct);
    }
}
