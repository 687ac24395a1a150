using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;

namespace SalesDash.Web.Plans;

/// <summary>The tiers SalesDash is sold in, cheapest first (the order "the least tier that allows more" walks).</summary>
public enum PlanTier
{
    Free,
    Starter,
    Growth,
    Scale,
    Enterprise,
}

/// <summary>What a tier includes beyond its counted limits.</summary>
[Flags]
public enum PlanFeature
{
    None = 0,
    CustomAlerts = 1,

    /// <summary>Anomalies, forecasts, attribution and benchmarks.</summary>
    AdvancedAnalytics = 2,
    ApiAccess = 4,
    WhiteLabel = 8,
    DataWarehouse = 16,
    SsoReady = 32,
    Sla = 64,
}

/// <summary>What a tier allows; a null count or cap means no limit. Revenue caps are in US dollars, as the tiers are priced.</summary>
public sealed record PlanLimits(
    PlanTier Tier,
    int? MaxSalesChannels,
    decimal? MaxMonthlyRevenueUsd,
    int? MaxDashboards,
    RetentionPlan HistoryRetention,
    PlanFeature Features)
{
    public bool Includes(PlanFeature feature) => (Features & feature) == feature;

    public bool CustomAlerts => Includes(PlanFeature.CustomAlerts);

    public bool AdvancedAnalytics => Includes(PlanFeature.AdvancedAnalytics);

    public bool ApiAccess => Includes(PlanFeature.ApiAccess);

    public bool WhiteLabel => Includes(PlanFeature.WhiteLabel);
}

/// <summary>The tiers exactly as sold (pricing page, issue 18); nothing else in the code states a limit.</summary>
public static class PlanCatalog
{
    private const PlanFeature ScaleFeatures = PlanFeature.CustomAlerts | PlanFeature.AdvancedAnalytics | PlanFeature.ApiAccess | PlanFeature.WhiteLabel;

    public static PlanLimits For(PlanTier tier) => tier switch
    {
        PlanTier.Free => new(tier, MaxSalesChannels: 1, MaxMonthlyRevenueUsd: 10_000m, MaxDashboards: 1, RetentionPlan.Days7, PlanFeature.None),
        PlanTier.Starter => new(tier, MaxSalesChannels: 1, MaxMonthlyRevenueUsd: 100_000m, MaxDashboards: 5, RetentionPlan.Days30, PlanFeature.None),
        PlanTier.Growth => new(tier, MaxSalesChannels: 3, MaxMonthlyRevenueUsd: 500_000m, MaxDashboards: null, RetentionPlan.Year1, PlanFeature.CustomAlerts),
        PlanTier.Scale => new(tier, MaxSalesChannels: null, MaxMonthlyRevenueUsd: null, MaxDashboards: null, RetentionPlan.Unlimited, ScaleFeatures),
        PlanTier.Enterprise => new(tier, MaxSalesChannels: null, MaxMonthlyRevenueUsd: null, MaxDashboards: null, RetentionPlan.Unlimited,
            ScaleFeatures | PlanFeature.DataWarehouse | PlanFeature.SsoReady | PlanFeature.Sla),
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, "Unknown plan tier."),
    };

    /// <summary>Every tier, cheapest first.</summary>
    public static IReadOnlyList<PlanLimits> All { get; } = [.. Enum.GetValues<PlanTier>().Select(For)];

    /// <summary>
    /// Whether a source is a selling channel, which the plan counts. Analytics, ad and shipping sources report on
    /// sales made elsewhere, so connecting them never uses up a channel.
    /// </summary>
    public static bool IsSalesChannel(SalesChannel channel) => channel switch
    {
        SalesChannel.GoogleAnalytics or SalesChannel.FacebookAds or SalesChannel.GoogleAds or SalesChannel.Shipping => false,
        _ => true,
    };
}

/// <summary>Which tier an organisation is on, and so what it may do.</summary>
public interface IPlanService
{
    Task<PlanLimits> GetLimitsAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>The tier with where it comes from (trial, subscription, ...), for the plan page and banners.</summary>
    Task<PlanStanding> GetStandingAsync(string tenantId, CancellationToken cancellationToken);
}

/// <summary>Where an organisation's tier comes from.</summary>
public enum PlanSource
{
    /// <summary>No trial left and no subscription.</summary>
    Free,
    Trial,

    /// <summary>A paid Stripe subscription (the webhooks' word).</summary>
    Subscription,

    /// <summary>Assigned by the operator (an Enterprise contract), stored per organisation.</summary>
    Assigned,

    /// <summary>Plans:Tenants in configuration.</summary>
    Configured,

    /// <summary>Plans:SelfHosted or a licence: Enterprise with no billing.</summary>
    SelfHosted,
}

/// <summary>The plan in force and why; TrialEndsAt is set while the organisation is (or was) on its trial.</summary>
public sealed record PlanStanding(PlanLimits Limits, PlanSource Source, DateTimeOffset? TrialEndsAt, int? TrialDaysLeft, SubscriptionState? Subscription);

/// <summary>A Stripe subscription as its last webhook described it.</summary>
public sealed record SubscriptionState(PlanTier? Tier, string Status, DateTimeOffset? CurrentPeriodEnd, bool CancelAtPeriodEnd, string? LastInvoiceStatus);
