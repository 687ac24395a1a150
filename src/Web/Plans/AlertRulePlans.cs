using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Engine.Alerts;

namespace SalesDash.Web.Plans;

/// <summary>
/// What a tier lets alert rules do: every rule a person writes is a custom alert (Growth and above); an anomaly rule is
/// advanced analytics as well (Scale and above). The same answer refuses writing a rule and pauses evaluating one.
/// </summary>
public static class AlertRulePlans
{
    /// <summary>The first feature a rule of <paramref name="kind"/> needs and the tier lacks, most demanding first, so the refusal names the tier that allows the rule whole.</summary>
    public static PlanFeature? Missing(PlanLimits limits, AlertRuleKind kind)
    {
        ArgumentNullException.ThrowIfNull(limits);
        PlanFeature[] needs = kind == AlertRuleKind.Anomaly ? [PlanFeature.AdvancedAnalytics, PlanFeature.CustomAlerts] : [PlanFeature.CustomAlerts];
        return needs.Where(f => !limits.Includes(f)).Select(f => (PlanFeature?)f).FirstOrDefault();
    }

    /// <summary>The plan-limit problem for writing a rule of <paramref name="kind"/>; null when the tier allows it.</summary>
    public static ProblemHttpResult? Refusal(PlanLimits limits, AlertRuleKind kind) =>
        Missing(limits, kind) is { } feature ? PlanLimitProblems.Feature(limits, feature) : null;

    /// <summary>Why a kept rule of <paramref name="kind"/> is not evaluated on this tier; null when it runs.</summary>
    public static string? PausedReason(PlanLimits limits, AlertRuleKind kind) =>
        Missing(limits, kind) is { } feature
            ? $"Paused: {PlanLimitProblems.FeatureDetail(limits, feature)} The rule is kept and runs again once the organisation is on that plan."
            : null;
}

/// <summary>Pauses the rules above each organisation's tier: they are kept, shown with the reason, and evaluated again after an upgrade.</summary>
public sealed class PlanAlertRuleAllowance(IPlanService plans) : IAlertRuleAllowance
{
    public async Task<IReadOnlyDictionary<string, string>> PausedAsync(IReadOnlyList<AlertRule> rules, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var paused = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var organisation in rules.GroupBy(r => r.TenantId, StringComparer.Ordinal))
        {
            var limits = await plans.GetLimitsAsync(organisation.Key, cancellationToken);
            foreach (var rule in organisation)
            {
                if (AlertRulePlans.PausedReason(limits, rule.Kind) is { } why)
                {
                    paused[rule.Id] = why;
                }
            }
        }

        return paused;
    }
}
