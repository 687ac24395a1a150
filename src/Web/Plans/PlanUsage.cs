using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.Stores;
using SalesDash.Web.Channels;
using SalesDash.Web.Dashboards;

namespace SalesDash.Web.Plans;

/// <summary>What an organisation uses of the counted limits.</summary>
public sealed record PlanUsageCounts(int SalesChannels, int Dashboards);

/// <summary>Counts what an organisation uses now, from the stores that own each thing.</summary>
public sealed class PlanUsage(IStoreDirectory stores, IChannelConnectionStore channels, IDashboardStore dashboards)
{
    public async Task<PlanUsageCounts> CountAsync(string tenantId, CancellationToken cancellationToken) =>
        new(await SalesChannelsAsync(tenantId, cancellationToken), (await dashboards.ListAsync(tenantId, cancellationToken)).Count);

    /// <summary>
    /// The selling sources of the organisation: each store's own platform, and each connection to a selling channel
    /// (a store's connection to its own platform is the same source, counted once). Analytics, ad and shipping
    /// connections are not sales channels.
    /// </summary>
    public async Task<int> SalesChannelsAsync(string tenantId, CancellationToken cancellationToken)
    {
        var sources = new HashSet<(string Store, SalesChannel Channel)>();
        foreach (var store in await stores.ListAsync(tenantId, cancellationToken))
        {
            sources.Add((store.Store.StoreId, store.Channel));
        }

        foreach (var connection in (await channels.ListAsync(null, cancellationToken)).Where(c => c.Store.TenantId == tenantId))
        {
            if (PlanCatalog.IsSalesChannel(connection.Channel))
            {
                sources.Add((connection.Store.StoreId, connection.Channel));
            }
        }

        return sources.Count;
    }
}

/// <summary>
/// The problem+json a refused action answers when the plan's limit is reached: it names the limit, what the
/// organisation uses, and the least tier that allows more.
/// </summary>
public static class PlanLimitProblems
{
    /// <summary>Distinguishes a plan refusal from a role refusal (both 403) for clients.</summary>
    public const string Type = "https://salesdash.dev/problems/plan-limit";

    public const string Title = "Plan limit reached";

    /// <summary>A refusal when <paramref name="usage"/> already reaches the count limit <paramref name="limitOf"/> picks; null when there is room.</summary>
    public static ProblemHttpResult? CountLimit(PlanLimits limits, string what, int usage, Func<PlanLimits, int?> limitOf)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(limitOf);
        if (limitOf(limits) is not { } max || usage < max)
        {
            return null;
        }

        var next = Enum.GetValues<PlanTier>().Where(t => t > limits.Tier).Select(PlanCatalog.For).FirstOrDefault(l => limitOf(l) is null || limitOf(l) > usage);
        var more = next is null ? string.Empty : $" The {next.Tier} plan allows {Describe(limitOf(next))}.";
        return Refuse(
            $"The {limits.Tier} plan allows {Counted(max, what)}; this organisation has {usage}.{more}",
            what, usage, max, limits.Tier, next?.Tier);
    }

    /// <summary>The live view's refusal once tracked revenue stayed over the month's cap past the grace period.</summary>
    public static ProblemHttpResult RevenueCap(PlanLimits limits, RevenueUsage usage, string detail)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(usage);
        var next = PlanCatalog.All.FirstOrDefault(l => l.Tier > limits.Tier && (l.MaxMonthlyRevenueUsd is null || l.MaxMonthlyRevenueUsd > limits.MaxMonthlyRevenueUsd));
        return TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden, type: Type, title: Title, detail: detail,
            extensions: new Dictionary<string, object?>
            {
                ["limit"] = "tracked revenue a month",
                ["usage"] = usage.Revenue,
                ["allowed"] = usage.Cap,
                ["currency"] = usage.Currency,
                ["tier"] = limits.Tier.ToString(),
                ["upgradeTo"] = next?.Tier.ToString(),
            });
    }

    /// <summary>A refusal for <paramref name="feature"/> when the tier lacks it; null when the tier includes it.</summary>
    public static ProblemHttpResult? Feature(PlanLimits limits, PlanFeature feature)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return limits.Includes(feature) ? null : Feature(limits, FeatureNames.Of(feature), l => l.Includes(feature));
    }

    /// <summary>A refusal for a feature the tier does not include at all (API access, white-label).</summary>
    public static ProblemHttpResult Feature(PlanLimits limits, string feature, Func<PlanLimits, bool> allows)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(allows);
        var next = Enum.GetValues<PlanTier>().Where(t => t > limits.Tier).Select(PlanCatalog.For).FirstOrDefault(allows);
        return Refuse(FeatureDetail(limits, feature, next), feature, null, null, limits.Tier, next?.Tier);
    }

    /// <summary>"The Starter plan does not include custom alerts. The Growth plan includes it." for <paramref name="feature"/>.</summary>
    public static string FeatureDetail(PlanLimits limits, PlanFeature feature)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return FeatureDetail(limits, FeatureNames.Of(feature), PlanCatalog.All.FirstOrDefault(l => l.Tier > limits.Tier && l.Includes(feature)));
    }

    private static string FeatureDetail(PlanLimits limits, string feature, PlanLimits? next) =>
        $"The {limits.Tier} plan does not include {feature}." + (next is null ? string.Empty : $" The {next.Tier} plan includes it.");

    /// <summary>"1 dashboard", "5 dashboards": the plural names the limit, the singular reads right for a limit of one.</summary>
    private static string Counted(int max, string plural) =>
        max == 1 && plural.EndsWith('s') ? $"1 {plural[..^1]}" : $"{max.ToString(System.Globalization.CultureInfo.InvariantCulture)} {plural}";

    private static string Describe(int? max) => max is { } m ? m.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unlimited";

    private static ProblemHttpResult Refuse(string detail, string limit, int? usage, int? max, PlanTier tier, PlanTier? upgrade) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            type: Type,
            title: Title,
            detail: detail,
            extensions: new Dictionary<string, object?>
            {
                ["limit"] = limit,
                ["usage"] = usage,
                ["allowed"] = max,
                ["tier"] = tier.ToString(),
                ["upgradeTo"] = upgrade?.ToString(),
            });
}

/// <summary>Names features for people: "custom alerts", "advanced analytics", ...</summary>
public static class FeatureNames
{
    public static string Of(PlanFeature feature) => feature switch
    {
        PlanFeature.CustomAlerts => "custom alerts",
        PlanFeature.AdvancedAnalytics => "advanced analytics (anomalies, forecasts, attribution, benchmarks)",
        PlanFeature.ApiAccess => "API access",
        PlanFeature.WhiteLabel => "white-label",
        PlanFeature.DataWarehouse => "a data warehouse connection",
        PlanFeature.SsoReady => "single sign-on",
        PlanFeature.Sla => "an SLA",
        _ => feature.ToString(),
    };

    /// <summary>The single features a tier includes, as the plan page lists them.</summary>
    public static IReadOnlyList<string> Keys(PlanFeature features) =>
        [.. Enum.GetValues<PlanFeature>().Where(f => f != PlanFeature.None && (features & f) == f).Select(f => f.ToString())];
}

/// <summary>Shapes a retention plan for people: "30 days", "1 year", "unlimited".</summary>
public static class RetentionNames
{
    public static string Of(RetentionPlan plan) => plan switch
    {
        RetentionPlan.Days7 => "7 days",
        RetentionPlan.Days30 => "30 days",
        RetentionPlan.Year1 => "1 year",
        _ => "unlimited",
    };
}
