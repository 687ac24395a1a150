using SalesDash.Engine.History;

namespace SalesDash.Web.Plans;

/// <summary>The price tiers an organisation can be on.</summary>
public enum PlanTier
{
    Starter,
    Growth,
    Scale,
    Enterprise,
}

/// <summary>What a tier allows; a null count means no limit.</summary>
public sealed record PlanLimits(
    PlanTier Tier,
    int? MaxStores,
    int? MaxChannels,
    int? MaxDashboards,
    RetentionPlan HistoryRetention,
    bool ApiAccess,
    bool WhiteLabel);

/// <summary>The published limits of each tier.</summary>
public static class PlanCatalog
{
    public static PlanLimits For(PlanTier tier) => tier switch
    {
        PlanTier.Starter => new(tier, MaxStores: 1, MaxChannels: 2, MaxDashboards: 3, RetentionPlan.Days30, ApiAccess: false, WhiteLabel: false),
        PlanTier.Growth => new(tier, MaxStores: 3, MaxChannels: 5, MaxDashboards: 10, RetentionPlan.Year1, ApiAccess: true, WhiteLabel: false),
        PlanTier.Scale => new(tier, MaxStores: 10, MaxChannels: 15, MaxDashboards: 50, RetentionPlan.Unlimited, ApiAccess: true, WhiteLabel: true),
        PlanTier.Enterprise => new(tier, MaxStores: null, MaxChannels: null, MaxDashboards: null, RetentionPlan.Unlimited, ApiAccess: true, WhiteLabel: true),
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, "Unknown plan tier."),
    };
}

/// <summary>Which tier an organisation is on, and so what it may do.</summary>
public interface IPlanService
{
    Task<PlanLimits> GetLimitsAsync(string tenantId, CancellationToken cancellationToken);
}
