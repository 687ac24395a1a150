namespace SalesDash.Engine.Alerts;

/// <summary>
/// Which rules an organisation may have evaluated now. A host that sells tiers pauses the rules above an
/// organisation's tier (kept, never deleted, and running again once the tier allows them); the engine itself knows no
/// tiers, so without a host's answer every enabled rule runs.
/// </summary>
public interface IAlertRuleAllowance
{
    /// <summary>Why each paused rule of <paramref name="rules"/> is paused, by rule id; a rule not named runs.</summary>
    Task<IReadOnlyDictionary<string, string>> PausedAsync(IReadOnlyList<AlertRule> rules, CancellationToken cancellationToken);
}

/// <summary>Every rule runs: an engine hosted without plans.</summary>
public sealed class EveryAlertRuleRuns : IAlertRuleAllowance
{
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>(StringComparer.Ordinal);

    public Task<IReadOnlyDictionary<string, string>> PausedAsync(IReadOnlyList<AlertRule> rules, CancellationToken cancellationToken) => Task.FromResult(None);
}

/// <summary>Filters rules through an <see cref="IAlertRuleAllowance"/>.</summary>
public static class AlertRuleAllowanceExtensions
{
    /// <summary>The rules of <paramref name="rules"/> the allowance lets run now.</summary>
    public static async Task<IReadOnlyList<AlertRule>> RunningAsync(this IAlertRuleAllowance allowance, IReadOnlyList<AlertRule> rules, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(allowance);
        ArgumentNullException.ThrowIfNull(rules);
        if (rules.Count == 0)
        {
            return rules;
        }

        var paused = await allowance.PausedAsync(rules, cancellationToken);
        return paused.Count == 0 ? rules : [.. rules.Where(r => !paused.ContainsKey(r.Id))];
    }
}
