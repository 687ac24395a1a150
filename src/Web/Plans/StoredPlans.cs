using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesDash.Engine.History;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Plans;

/// <summary>
/// The plan in force, first match wins: a tier configuration pins for the organisation (Plans:Tenants); a self-hosted
/// install's Enterprise; a tier the operator assigned (an Enterprise contract, stored per organisation); a live Stripe
/// subscription; the 14-day Growth trial from the organisation's creation; else Free.
/// </summary>
public sealed class OrganisationPlans(
    IOptionsMonitor<PlanOptions> options, IPlanStore assigned, IDbContextFactory<AppIdentityDbContext> databases, TimeProvider time) : IPlanService
{
    public async Task<PlanLimits> GetLimitsAsync(string tenantId, CancellationToken cancellationToken) =>
        (await GetStandingAsync(tenantId, cancellationToken)).Limits;

    public async Task<PlanStanding> GetStandingAsync(string tenantId, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (settings.Tenants.TryGetValue(tenantId, out var pinned))
        {
            return new(PlanCatalog.For(pinned), PlanSource.Configured, null, null, null);
        }

        if (settings.IsSelfHosted)
        {
            return new(PlanCatalog.For(PlanTier.Enterprise), PlanSource.SelfHosted, null, null, null);
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var billing = await db.OrganisationBillings.AsNoTracking().FirstOrDefaultAsync(b => b.OrganisationId == tenantId, cancellationToken);
        var subscription = billing?.Status is null
            ? null
            : new SubscriptionState(billing.Tier, billing.Status, billing.CurrentPeriodEnd, billing.CancelAtPeriodEnd, billing.LastInvoiceStatus);
        if (await assigned.GetAsync(tenantId, cancellationToken) is { } stored)
        {
            return new(PlanCatalog.For(stored.Tier), PlanSource.Assigned, null, null, subscription);
        }

        if (subscription is { Tier: { } paid } && StripeBillingEvents.Grants(subscription.Status))
        {
            return new(PlanCatalog.For(paid), PlanSource.Subscription, null, null, subscription);
        }

        var created = await db.Organisations.AsNoTracking().Where(o => o.Id == tenantId).Select(o => (DateTimeOffset?)o.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
        var trialEnds = created + settings.TrialLength;
        var now = time.GetUtcNow();
        if (trialEnds is { } ends && now < ends)
        {
            return new(PlanCatalog.For(settings.TrialTier), PlanSource.Trial, ends, DaysLeft(now, ends), subscription);
        }

        return new(PlanCatalog.For(PlanTier.Free), PlanSource.Free, trialEnds, trialEnds is null ? null : 0, subscription);
    }

    /// <summary>Whole days left, rounded up: a trial ending in 2 days and 1 hour has 3 days left, as a person counts.</summary>
    public static int DaysLeft(DateTimeOffset now, DateTimeOffset ends) => ends <= now ? 0 : (int)Math.Ceiling((ends - now).TotalDays);
}

/// <summary>
/// History retention from the organisation's plan, once its owners were warned by e-mail at least
/// Plans:RetentionWarningLead ago; until then nothing is deleted because of the plan. An operator's explicit
/// History:TenantRetention still applies when it keeps less: configuration may narrow what a plan keeps, never widen it.
/// </summary>
public sealed class PlanHistoryRetention(
    IPlanService plans, ConfiguredHistoryRetention configured, PlanNotices notices, IOptionsMonitor<PlanOptions> options, TimeProvider time)
    : IHistoryRetentionPolicy
{
    public async Task<RetentionPlan> RetentionForAsync(string tenantId, CancellationToken cancellationToken)
    {
        var plan = (await plans.GetLimitsAsync(tenantId, cancellationToken)).HistoryRetention;
        if (HistoryOptions.Keeps(plan) is not null
            && (await notices.SentAtAsync(tenantId, PlanNotices.RetentionKey(plan), cancellationToken) is not { } warned
                || time.GetUtcNow() - warned < options.CurrentValue.RetentionWarningLead))
        {
            plan = RetentionPlan.Unlimited;
        }

        var operatorSays = await configured.RetentionForAsync(tenantId, cancellationToken);
        return Shorter(plan, operatorSays);
    }

    public static RetentionPlan Shorter(RetentionPlan a, RetentionPlan b) =>
        (HistoryOptions.Keeps(a), HistoryOptions.Keeps(b)) switch
        {
            (null, _) => b,
            (_, null) => a,
            ({ } x, { } y) => x <= y ? a : b,
        };
}
