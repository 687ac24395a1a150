using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Tests.Plans;

/// <summary>
/// A new organisation's 14-day Growth trial, its fall to Free, and upgrades bought through Stripe Checkout (the local
/// <see cref="FakeStripe"/>) that only Stripe's signed webhooks turn into a paid tier.
/// </summary>
public sealed class TrialAndBillingTests(PlansAppFactory app) : IClassFixture<PlansAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DashboardInput Board(string name) => new(
        name, [new LayoutItem("revenue", 0, 0, 4, 3)], [new Widget("revenue", "kpi", null, new WidgetSettings("gross-revenue", "today", "none"))]);

    private async Task<PlanView> PlanAsync(HttpClient client, string tenant) =>
        (await client.GetFromJsonAsync<PlanView>($"/api/tenants/{tenant}/plan", Json, Ct))!;

    /// <summary>A trial that ended: the organisation is created now and the checks run 14 days later (the shared clock is not moved).</summary>
    private async Task<(HttpClient Owner, string Tenant)> FreeOrganisationAsync()
    {
        var (owner, tenant, _) = await app.SignUpAsync(Ct);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppIdentityDbContext>();
        var org = await db.Organisations.FindAsync([tenant], Ct);
        org!.CreatedAt = app.Clock.GetUtcNow().AddDays(-14);
        await db.SaveChangesAsync(Ct);
        return (owner, tenant);
    }

    [Fact]
    public async Task A_new_organisation_gets_a_14_day_growth_trial()
    {
        var (owner, tenant, _) = await app.SignUpAsync(Ct);

        var plan = await PlanAsync(owner, tenant);

        Assert.Equal(("Growth", "Trial"), (plan.Tier, plan.Source));
        Assert.Equal(new TrialView(app.Clock.GetUtcNow().AddDays(14), 14, Active: true), plan.Trial);
        Assert.True(plan.Billing);
    }

    [Fact]
    public async Task The_trial_falls_to_free_when_it_ends_and_a_second_dashboard_is_then_refused()
    {
        var (owner, tenant, _) = await app.SignUpAsync(Ct);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            // One second before the end: still Growth, one day left.
            var db = scope.ServiceProvider.GetRequiredService<AppIdentityDbContext>();
            var org = await db.Organisations.FindAsync([tenant], Ct);
            org!.CreatedAt = app.Clock.GetUtcNow().AddDays(-14).AddSeconds(1);
            await db.SaveChangesAsync(Ct);
        }

        Assert.Equal(("Growth", 1), ((await PlanAsync(owner, tenant)).Tier, (await PlanAsync(owner, tenant)).Trial!.DaysLeft));
        (await owner.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board("First"), Ct)).EnsureSuccessStatusCode();
        (await owner.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board("Second"), Ct)).EnsureSuccessStatusCode();

        var (freeOwner, free) = await FreeOrganisationAsync();
        (await freeOwner.PostAsJsonAsync($"/api/tenants/{free}/dashboards", Board("First"), Ct)).EnsureSuccessStatusCode();
        using var refused = await freeOwner.PostAsJsonAsync($"/api/tenants/{free}/dashboards", Board("Second"), Ct);

        var plan = await PlanAsync(freeOwner, free);
        Assert.Equal(("Free", "Free", false, 0), (plan.Tier, plan.Source, plan.Trial!.Active, plan.Trial.DaysLeft));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("Starter", (await refused.ProblemAsync(Ct))["upgradeTo"].GetString());
    }

    [Fact]
    public async Task Checkout_creates_one_customer_and_a_subscription_session_for_the_tiers_price()
    {
        var (owner, tenant, email) = await app.SignUpAsync(Ct);

        using var first = await owner.PostAsJsonAsync($"/api/tenants/{tenant}/plan/checkout", new PlanChange("Growth"), Ct);
        using var second = await owner.PostAsJsonAsync($"/api/tenants/{tenant}/plan/checkout", new PlanChange("Scale"), Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var url = (await first.Content.ReadFromJsonAsync<BillingRedirect>(Json, Ct))!.Url;
        var session = app.Stripe.CheckoutSessions[FakeStripe.SessionIdOf(url)];
        Assert.Equal(("subscription", "price_growth_monthly", "1", tenant, tenant), (session["mode"], session["line_items[0][price]"],
            session["line_items[0][quantity]"], session["client_reference_id"], session["subscription_data[metadata][organisation_id]"]));
        Assert.EndsWith($"/t/{tenant}/plan?checkout=success", session["success_url"], StringComparison.Ordinal);
        var customer = app.Stripe.Customers[session["customer"]];
        Assert.Equal((email, tenant), (customer["email"], customer["metadata[organisation_id]"]));

        // The second checkout reuses the customer: every subscription and invoice lands on one.
        var again = app.Stripe.CheckoutSessions[FakeStripe.SessionIdOf((await second.Content.ReadFromJsonAsync<BillingRedirect>(Json, Ct))!.Url)];
        Assert.Equal((session["customer"], "price_scale_monthly"), (again["customer"], again["line_items[0][price]"]));

        // Starting checkout pays for nothing: the trial is still what the organisation has.
        Assert.Equal(("Growth", "Trial"), ((await PlanAsync(owner, tenant)).Tier, (await PlanAsync(owner, tenant)).Source));
    }

    [Fact]
    public async Task Enterprise_and_unknown_tiers_are_not_sold_through_checkout()
    {
        var (owner, tenant, _) = await app.SignUpAsync(Ct);

        using var enterprise = await owner.PostAsJsonAsync($"/api/tenants/{tenant}/plan/checkout", new PlanChange("Enterprise"), Ct);
        using var platinum = await owner.PostAsJsonAsync($"/api/tenants/{tenant}/plan/checkout", new PlanChange("Platinum"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, enterprise.StatusCode);
        Assert.Equal("Enterprise is sold by contract: contact sales. Checkout sells Starter, Growth, Scale.",
            (await enterprise.ProblemAsync(Ct))["errors"].GetProperty("tier")[0].GetString());
        Assert.Equal("Tier must be one of Free, Starter, Growth, Scale, Enterprise.",
            (await platinum.ProblemAsync(Ct))["errors"].GetProperty("tier")[0].GetString());
    }

    [Fact]
    public async Task A_paid_subscription_webhook_lifts_the_free_limit_and_its_deletion_drops_back_to_free()
    {
        var (owner, tenant) = await FreeOrganisationAsync();
        (await owner.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board("First"), Ct)).EnsureSuccessStatusCode();
        using var checkout = await owner.PostAsJsonAsync($"/api/tenants/{tenant}/plan/checkout", new PlanChange("Starter"), Ct);
        var session = FakeStripe.SessionIdOf((await checkout.Content.ReadFromJsonAsync<BillingRedirect>(Json, Ct))!.Url);
        var now = app.Clock.GetUtcNow();

        using (var paid = await app.SendStripeEventAsync(app.Stripe.SubscriptionEvent(session, "customer.subscription.created", "active", now), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        }

        var plan = await PlanAsync(owner, tenant);
        Assert.Equal(("Starter", "Subscription", "active"), (plan.Tier, plan.Source, plan.Subscription!.Status));
        Assert.Equal(now.AddMonths(1).ToUnixTimeSeconds(), plan.Subscription.CurrentPeriodEnd!.Value.ToUnixTimeSeconds());
        using (var second = await owner.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board("Second"), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        }

        // A second checkout while subscribed would bill twice: the portal switches tier instead.
        using (var twice = await owner.PostAsJsonAsync($"/api/tenants/{tenant}/plan/checkout", new PlanChange("Growth"), Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        }

        using (var portal = await owner.PostAsync($"/api/tenants/{tenant}/plan/portal", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, portal.StatusCode);
            Assert.Contains(app.Stripe.PortalSessions, p => p["customer"] == app.Stripe.CheckoutSessions[session]["customer"]
                && p["return_url"].EndsWith($"/t/{tenant}/plan", StringComparison.Ordinal));
        }

        (await app.SendStripeEventAsync(app.Stripe.SubscriptionEvent(session, "customer.subscription.deleted", "canceled", now.AddSeconds(10)), Ct))
            .EnsureSuccessStatusCode();
        plan = await PlanAsync(owner, tenant);
        Assert.Equal(("Free", "canceled"), (plan.Tier, plan.Subscription!.Status));

        // Nothing collected is deleted by the lower limit: both dashboards remain, a third is refused.
        Assert.Equal(2, (await owner.GetFromJsonAsync<DashboardSummary[]>($"/api/tenants/{tenant}/dashboards", Json, Ct))!.Length);
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.PostAsJsonAsync($"/api/tenants/{tenant}/dashboards", Board("Third"), Ct)).StatusCode);
    }

    [Fact]
    public async Task A_webhook_with_a_wrong_or_stale_signature_is_refused_and_changes_nothing()
    {
        var (owner, tenant) = await FreeOrganisationAsync();
        using var checkout = await owner.PostAsJsonAsync($"/api/tenants/{tenant}/plan/checkout", new PlanChange("Scale"), Ct);
        var session = FakeStripe.SessionIdOf((await checkout.Content.ReadFromJsonAsync<BillingRedirect>(Json, Ct))!.Url);
        var now = app.Clock.GetUtcNow();
        var payload = app.Stripe.SubscriptionEvent(session, "customer.subscription.created", "active", now);

        using var forged = await app.SendStripeEventAsync(payload, Ct, FakeStripe.Signature(payload, now, "whsec_someone_else"));
        using var tampered = await app.SendStripeEventAsync(payload.Replace("price_scale_monthly", "price_scale_monthly ", StringComparison.Ordinal), Ct,
            FakeStripe.Signature(payload, now));
        using var replayed = await app.SendStripeEventAsync(payload, Ct, FakeStripe.Signature(payload, now.AddMinutes(-6)));
        using var unsigned = await app.SendStripeEventAsync(payload, Ct, string.Empty);

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest],
            new[] { forged.StatusCode, tampered.StatusCode, replayed.StatusCode, unsigned.StatusCode });
        Assert.Equal("Signature not valid", (await forged.ProblemAsync(Ct))["title"].GetString());
        Assert.Equal(("Free", null), ((await PlanAsync(owner, tenant)).Tier, (await PlanAsync(owner, tenant)).Subscription));
    }

    [Fact]
    public async Task An_older_event_delivered_late_does_not_undo_a_newer_one_and_invoices_are_recorded()
    {
        var (owner, tenant) = await FreeOrganisationAsync();
        using var checkout = await owner.PostAsJsonAsync($"/api/tenants/{tenant}/plan/checkout", new PlanChange("Growth"), Ct);
        var session = FakeStripe.SessionIdOf((await checkout.Content.ReadFromJsonAsync<BillingRedirect>(Json, Ct))!.Url);
        var now = app.Clock.GetUtcNow();

        // Stripe does not deliver in order: the upgrade to Scale (later) arrives before the creation (earlier).
        (await app.SendStripeEventAsync(app.Stripe.SubscriptionEvent(session, "customer.subscription.updated", "active", now.AddSeconds(5), "price_scale_monthly"), Ct))
            .EnsureSuccessStatusCode();
        (await app.SendStripeEventAsync(app.Stripe.SubscriptionEvent(session, "customer.subscription.created", "incomplete", now), Ct)).EnsureSuccessStatusCode();
        var customer = app.Stripe.CheckoutSessions[session]["customer"];
        (await app.SendStripeEventAsync(app.Stripe.InvoiceEvent("invoice.payment_failed", customer, "open", now.AddSeconds(6)), Ct)).EnsureSuccessStatusCode();

        var plan = await PlanAsync(owner, tenant);
        Assert.Equal(("Scale", "Subscription", "active", "payment_failed"), (plan.Tier, plan.Source, plan.Subscription!.Status, plan.Subscription.LastInvoiceStatus));
    }

    [Fact]
    public async Task A_subscription_to_a_price_not_sold_here_grants_no_tier()
    {
        var (owner, tenant) = await FreeOrganisationAsync();
        using var checkout = await owner.PostAsJsonAsync($"/api/tenants/{tenant}/plan/checkout", new PlanChange("Growth"), Ct);
        var session = FakeStripe.SessionIdOf((await checkout.Content.ReadFromJsonAsync<BillingRedirect>(Json, Ct))!.Url);

        (await app.SendStripeEventAsync(app.Stripe.SubscriptionEvent(session, "customer.subscription.created", "active", app.Clock.GetUtcNow(), "price_someone_elses"), Ct))
            .EnsureSuccessStatusCode();

        Assert.Equal(("Free", "Free"), ((await PlanAsync(owner, tenant)).Tier, (await PlanAsync(owner, tenant)).Source));
    }
}
