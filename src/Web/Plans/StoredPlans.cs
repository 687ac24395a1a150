using SalesDash.Engine.History;

namespace SalesDash.Web.Plans;

/// <summary>
/// The plan in force: the tier the organisation's owner stored, else the configured one (the operator's default
/// for organisations that never chose).
/// </summary>
public sealed class StoredPlans(IPlanStore store, ConfiguredPlans configured) : IPlanService
{
    public async Task<PlanLimits> GetLimitsAsync(string tenantId, CancellationToken cancellationToken) =>
        await store.GetAsync(tenantId, cancellationToken) is { } stored
            ? PlanCatalog.For(stored.Tier)
            : await configured.GetLimitsAsync(tenantId, cancellationToken);
}

/// <summary>
/// History retention from the organisation's plan. An operator's explicit History:TenantRetention still applies
/// when it keeps less: configuration may narrow what a plan keeps, never widen it.
/// </summary>
public sealed class PlanHistoryRetention(IPlanService plans, ConfiguredHistoryRetention configured) : IHistoryRetentionPolicy
{
    public async Task<RetentionPlan> RetentionForAsync(string tenantId, CancellationToken cancellationToken)
    {
        var plan = (await plans.GetLimitsAsync(tenantId, cancellationToken)).HistoryRetention;
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
