using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Engine.History;
using SalesDash.Engine.Stores;
using SalesDash.Web.Channels;
using SalesDash.Web.Dashboards;

namespace SalesDash.Web.Plans;

/// <summary>What an organisation uses of the counted limits.</summary>
public sealed record PlanUsageCounts(int Stores, int Channels, int Dashboards);

/// <summary>Counts what an organisation uses now, from the stores that own each thing.</summary>
public sealed class PlanUsage(IStoreDirectory stores, IChannelConnectionStore channels, IDashboardStore dashboards)
{
    public async Task<PlanUsageCounts> CountAsync(string tenantId, CancellationToken cancellationToken)
    {
        var storeCount = (await stores.ListAsync(tenantId, cancellationToken)).Count;
        return new PlanUsageCounts(storeCount, await ChannelsAsync(tenantId, cancellationToken), (await dashboards.ListAsync(tenantId, cancellationToken)).Count);
    }

    /// <summary>Channel connections across every store of the organisation: the plan counts connections, not kinds.</summary>
    public async Task<int> ChannelsAsync(string tenantId, CancellationToken cancellationToken) =>
        (await channels.ListAsync(null, cancellationToken)).Count(c => c.Store.TenantId == tenantId);
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
            $"The {limits.Tier} plan allows {max} {what}; this organisation has {usage}.{more}",
            what, usage, max, limits.Tier, next?.Tier);
    }

    /// <summary>A refusal for a feature the tier does not include at all (API access, white-label).</summary>
    public static ProblemHttpResult Feature(PlanLimits limits, string feature, Func<PlanLimits, bool> allows)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(allows);
        var next = Enum.GetValues<PlanTier>().Where(t => t > limits.Tier).Select(PlanCatalog.For).FirstOrDefault(allows);
        var more = next is null ? string.Empty : $" The {next.Tier} plan includes it.";
        return Refuse($"The {limits.Tier} plan does not include {feature}.{more}", feature, null, null, limits.Tier, next?.Tier);
    }

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

/// <summary>Shapes a retention plan for people: "30 days", "1 year", "unlimited".</summary>
public static class RetentionNames
{
    public static string Of(RetentionPlan plan) => plan switch
    {
        RetentionPlan.Days30 => "30 days",
        RetentionPlan.Year1 => "1 year",
        _ => "unlimited",
    };
}
