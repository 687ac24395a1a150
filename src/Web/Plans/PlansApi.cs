using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesDash.Engine.Alerts;
using SalesDash.Web.Audit;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Plans;

/// <summary>A tier's limits as the plan page shows them; null counts and caps are unlimited.</summary>
public sealed record PlanLimitsView(
    string Tier, int? MaxSalesChannels, decimal? MaxMonthlyRevenueUsd, int? MaxDashboards, string HistoryRetention, IReadOnlyList<string> Features)
{
    public static PlanLimitsView Of(PlanLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return new(limits.Tier.ToString(), limits.MaxSalesChannels, limits.MaxMonthlyRevenueUsd, limits.MaxDashboards, RetentionNames.Of(limits.HistoryRetention),
            FeatureNames.Keys(limits.Features));
    }
}

/// <summary>The trial as the banner shows it.</summary>
public sealed record TrialView(DateTimeOffset EndsAt, int DaysLeft, bool Active);

/// <summary>The Stripe subscription as its webhooks last described it.</summary>
public sealed record SubscriptionView(string? Tier, string Status, DateTimeOffset? CurrentPeriodEnd, bool CancelAtPeriodEnd, string? LastInvoiceStatus);

/// <summary>
/// An organisation's plan: its tier and where it comes from (free, trial, subscription, assigned, configured,
/// self-hosted), the trial, the subscription, what the tier allows, what is used, and every tier to compare.
/// </summary>
/// <param name="Billing">Whether upgrades go through Stripe Checkout here (false on a self-hosted install or without Stripe keys).</param>
/// <param name="PausedAlertRules">Alert rules kept from before a downgrade that the tier does not run, each with why.</param>
public sealed record PlanView(
    string TenantId, string Tier, string Source, PlanLimitsView Limits, PlanUsageCounts Usage, RevenueUsage Revenue, TrialView? Trial,
    SubscriptionView? Subscription, bool Billing, IReadOnlyList<PlanLimitsView> Tiers, IReadOnlyList<PausedAlertRuleView> PausedAlertRules);

/// <summary>An alert rule the tier pauses: kept, not evaluated, running again after an upgrade.</summary>
public sealed record PausedAlertRuleView(string Id, string Name, string Kind, string Reason);

/// <summary>What an owner sends to change the plan.</summary>
public sealed record PlanChange(string? Tier);

/// <summary>Where the browser goes next: Stripe's Checkout or customer portal.</summary>
public sealed record BillingRedirect(Uri Url);

/// <summary>
/// /api/tenants/{tenantId}/plan: the owner reads the plan, buys a tier through Stripe Checkout and manages payment and
/// cancellation in Stripe's customer portal. No request sets a paid tier: only Stripe's webhooks do.
/// </summary>
public static class PlansApi
{
    /// <summary>Distinguishes "buy this through Checkout" from a plan-limit refusal.</summary>
    public const string BillingProblemType = "https://salesdash.dev/problems/billing";

    public static RouteGroupBuilder MapPlansApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var plan = api.MapGroup("/tenants/{tenantId}/plan");
        plan.MapGet("/", GetAsync).WithName("GetPlan").RequireOrgRole(OrgRole.Viewer);
        plan.MapPut("/", Put).WithName("ChangePlan").RequireOrgRole(OrgRole.Owner);
        plan.MapPost("/checkout", CheckoutAsync).WithName("StartCheckout").RequireSignedInUser(OrgRole.Owner);
        plan.MapPost("/portal", PortalAsync).WithName("OpenBillingPortal").RequireSignedInUser(OrgRole.Owner);
        return api;
    }

    private static async Task<Ok<PlanView>> GetAsync(
        string tenantId, IPlanService plans, PlanUsage usage, RevenueMeter meter, IOptions<StripeBillingOptions> stripe,
        IAlertRuleStore alertRules, IAlertRuleAllowance allowance, CancellationToken cancellationToken)
    {
        var rules = await alertRules.ListRulesAsync(tenantId, cancellationToken);
        var paused = await allowance.PausedAsync(rules, cancellationToken);
        IReadOnlyList<PausedAlertRuleView> pausedRules =
            [.. rules.Where(r => paused.ContainsKey(r.Id)).Select(r => new PausedAlertRuleView(r.Id, r.Name, r.Kind.ToString(), paused[r.Id]))];
        return TypedResults.Ok(await ViewAsync(tenantId, plans, usage, meter, stripe.Value, pausedRules, cancellationToken));
    }

    /// <summary>
    /// Refused: a paid tier is bought through Checkout and Stripe's webhooks say when it is paid; setting one here
    /// would be a tier for free. The answer says where to go instead.
    /// </summary>
    private static ProblemHttpResult Put(string tenantId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, type: BillingProblemType, title: "Plans are changed through billing",
            detail: $"A tier cannot be set directly. Upgrade with POST /api/tenants/{tenantId}/plan/checkout; change or cancel a subscription in the billing portal (POST /api/tenants/{tenantId}/plan/portal).");

    private static async Task<Results<Ok<BillingRedirect>, ValidationProblem, ProblemHttpResult>> CheckoutAsync(
        string tenantId, PlanChange? change, HttpRequest request, ClaimsPrincipal user, IPlanService plans, StripeClient stripeClient,
        IOptions<StripeBillingOptions> stripe, IDbContextFactory<AppIdentityDbContext> databases, TimeProvider time, CancellationToken cancellationToken)
    {
        var sellable = stripe.Value.Prices.Keys.Order().ToList();
        if (change?.Tier is null || !Enum.TryParse<PlanTier>(change.Tier, ignoreCase: true, out var tier) || !Enum.IsDefined(tier) || int.TryParse(change.Tier, out _))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["tier"] = [$"Tier must be one of {string.Join(", ", Enum.GetNames<PlanTier>())}."] },
                title: "The upgrade is not valid");
        }

        var standing = await plans.GetStandingAsync(tenantId, cancellationToken);
        if (NotBillable(standing, stripe.Value) is { } unavailable)
        {
            return unavailable;
        }

        if (!stripe.Value.Prices.ContainsKey(tier))
        {
            var why = tier switch
            {
                PlanTier.Enterprise => "Enterprise is sold by contract: contact sales.",
                PlanTier.Free => "Free needs no checkout: it is where an organisation without a subscription lands.",
                _ => $"{tier} has no price configured (Plans:Stripe:Prices:{tier}).",
            };
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["tier"] = [$"{why} Checkout sells {string.Join(", ", sellable)}."] }, title: "That tier is not sold through checkout");
        }

        if (standing.Source == PlanSource.Subscription)
        {
            // A second subscription would bill twice; Stripe's portal switches the tier of the one there is.
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: BillingProblemType, title: "Already subscribed",
                detail: $"This organisation already subscribes to {standing.Limits.Tier}; switch tier or cancel in the billing portal (POST /api/tenants/{tenantId}/plan/portal).");
        }

        try
        {
            var customer = await CustomerAsync(tenantId, user, stripeClient, databases, time, cancellationToken);
            var page = PlanPage(request, tenantId);
            var url = await stripeClient.CreateCheckoutSessionAsync(customer, stripe.Value.Prices[tier], tenantId,
                new Uri($"{page}?checkout=success"), new Uri($"{page}?checkout=cancelled"), cancellationToken);
            request.HttpContext.Note($"checkout for {tier} started");
            return TypedResults.Ok(new BillingRedirect(new Uri(url)));
        }
        catch (StripeException e)
        {
            return StripeFailed(e);
        }
    }

    private static async Task<Results<Ok<BillingRedirect>, ProblemHttpResult>> PortalAsync(
        string tenantId, HttpRequest request, IPlanService plans, StripeClient stripeClient, IOptions<StripeBillingOptions> stripe,
        IDbContextFactory<AppIdentityDbContext> databases, CancellationToken cancellationToken)
    {
        if (NotBillable(await plans.GetStandingAsync(tenantId, cancellationToken), stripe.Value) is { } unavailable)
        {
            return unavailable;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var customer = await db.OrganisationBillings.AsNoTracking().Where(b => b.OrganisationId == tenantId).Select(b => b.StripeCustomerId)
            .FirstOrDefaultAsync(cancellationToken);
        if (customer is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: BillingProblemType, title: "No billing account yet",
                detail: $"This organisation has not subscribed yet; upgrade first with POST /api/tenants/{tenantId}/plan/checkout.");
        }

        try
        {
            var url = await stripeClient.CreatePortalSessionAsync(customer, new Uri(PlanPage(request, tenantId)), cancellationToken);
            return TypedResults.Ok(new BillingRedirect(new Uri(url)));
        }
        catch (StripeException e)
        {
            return StripeFailed(e);
        }
    }

    /// <summary>The organisation's plan page in the app, where Stripe sends the browser back to.</summary>
    private static string PlanPage(HttpRequest request, string tenantId) => $"{request.Scheme}://{request.Host}/t/{Uri.EscapeDataString(tenantId)}/plan";

    /// <summary>Stripe's refusal or outage, passed on as a bad gateway with Stripe's message; nothing was charged.</summary>
    private static ProblemHttpResult StripeFailed(StripeException e) =>
        TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, type: BillingProblemType, title: "Stripe did not accept the request", detail: e.Message);

    private static ProblemHttpResult? NotBillable(PlanStanding standing, StripeBillingOptions stripe) => standing.Source switch
    {
        PlanSource.SelfHosted => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: BillingProblemType, title: "Nothing to buy",
            detail: "This is a self-hosted install: every organisation has Enterprise and nothing is billed."),
        PlanSource.Configured or PlanSource.Assigned => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, type: BillingProblemType,
            title: "Plan set by contract", detail: $"This organisation's {standing.Limits.Tier} plan is set by the operator; contact them to change it."),
        _ when !stripe.Enabled => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, type: BillingProblemType,
            title: "Billing is not configured", detail: "This install has no Stripe key (Plans:Stripe:SecretKey), so upgrades cannot be bought here."),
        _ => null,
    };

    /// <summary>The organisation's Stripe customer, created on its first checkout and kept, so every subscription and invoice lands on one customer.</summary>
    private static async Task<string> CustomerAsync(
        string tenantId, ClaimsPrincipal user, StripeClient stripe, IDbContextFactory<AppIdentityDbContext> databases, TimeProvider time,
        CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.OrganisationBillings.FirstOrDefaultAsync(b => b.OrganisationId == tenantId, cancellationToken);
        if (row?.StripeCustomerId is { } known)
        {
            return known;
        }

        var name = await db.Organisations.AsNoTracking().Where(o => o.Id == tenantId).Select(o => o.Name).FirstOrDefaultAsync(cancellationToken) ?? tenantId;
        var customer = await stripe.CreateCustomerAsync(tenantId, name, user.FindFirstValue(ClaimTypes.Email), cancellationToken);
        if (row is null)
        {
            row = new OrganisationBilling { OrganisationId = tenantId };
            db.OrganisationBillings.Add(row);
        }

        row.StripeCustomerId = customer;
        row.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return customer;
    }

    private static async Task<PlanView> ViewAsync(
        string tenantId, IPlanService plans, PlanUsage usage, RevenueMeter meter, StripeBillingOptions stripe, IReadOnlyList<PausedAlertRuleView> pausedRules,
        CancellationToken cancellationToken)
    {
        var standing = await plans.GetStandingAsync(tenantId, cancellationToken);
        var trial = standing.TrialEndsAt is { } ends ? new TrialView(ends, standing.TrialDaysLeft ?? 0, standing.Source == PlanSource.Trial) : null;
        var subscription = standing.Subscription is { } s
            ? new SubscriptionView(s.Tier?.ToString(), s.Status, s.CurrentPeriodEnd, s.CancelAtPeriodEnd, s.LastInvoiceStatus)
            : null;
        var billing = stripe.Enabled && standing.Source is PlanSource.Free or PlanSource.Trial or PlanSource.Subscription;
        return new PlanView(
            tenantId, standing.Limits.Tier.ToString(), standing.Source.ToString(), PlanLimitsView.Of(standing.Limits),
            await usage.CountAsync(tenantId, cancellationToken), await meter.MeasureAsync(tenantId, cancellationToken), trial, subscription, billing, [.. PlanCatalog.All.Select(PlanLimitsView.Of)],
            pausedRules);
    }
}
