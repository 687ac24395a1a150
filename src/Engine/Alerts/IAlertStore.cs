namespace SalesDash.Engine.Alerts;

/// <summary>What a rule is made of when a person writes it; the store adds id, owner and times.</summary>
public sealed record AlertRuleInput(
    string Name,
    AlertRuleKind Kind,
    AlertMetric Metric = AlertMetric.Revenue,
    AlertDirection Direction = AlertDirection.Below,
    decimal? Threshold = null,
    int WindowMinutes = 30,
    ComparisonPeriod Comparison = ComparisonPeriod.LastWeek,
    Anomalies.AnomalySeverity MinimumSeverity = Anomalies.AnomalySeverity.Low,
    TimeSpan? Frequency = null,
    IReadOnlyList<string>? Recipients = null,
    string? WebhookUrl = null,
    bool InApp = true,
    QuietHours? QuietHours = null,
    string? StoreId = null,
    bool Enabled = true,
    Contracts.Commerce.SalesChannel? Channel = null,
    AlertCustomMetric? CustomMetric = null,
    bool DuringTradingHours = false);

/// <summary>Alert rules of organisations (kept by the host: the app database).</summary>
public interface IAlertRuleStore
{
    Task<IReadOnlyList<AlertRule>> ListRulesAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Every enabled rule of every organisation, for the evaluators.</summary>
    Task<IReadOnlyList<AlertRule>> ListEnabledRulesAsync(CancellationToken cancellationToken);

    Task<AlertRule?> GetRuleAsync(string tenantId, string id, CancellationToken cancellationToken);

    Task<AlertRule> CreateRuleAsync(string tenantId, AlertRuleInput input, CancellationToken cancellationToken);

    Task<AlertRule?> UpdateRuleAsync(string tenantId, string id, AlertRuleInput input, CancellationToken cancellationToken);

    Task<bool> DeleteRuleAsync(string tenantId, string id, CancellationToken cancellationToken);
}

/// <summary>Alerts that fired (kept by the host: the app database): what the list shows and what acknowledging changes.</summary>
public interface IAlertStore
{
    /// <summary>Stores a new alert or replaces one with the same id (a resolution).</summary>
    Task SaveAlertAsync(Alert alert, CancellationToken cancellationToken);

    Task<Alert?> GetAlertAsync(string tenantId, string id, CancellationToken cancellationToken);

    /// <summary>Newest first; only <paramref name="status"/> when given; at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Alert>> ListAlertsAsync(string tenantId, AlertStatus? status, string? storeId, int limit, CancellationToken cancellationToken);

    /// <summary>Alerts of a store not yet resolved, so an evaluator restarting does not open them again.</summary>
    Task<IReadOnlyList<Alert>> OpenAlertsAsync(string tenantId, string storeId, CancellationToken cancellationToken);

    /// <summary>Firing becomes acknowledged (by whom, when); an acknowledged or resolved alert is returned unchanged; null when unknown.</summary>
    Task<Alert?> AcknowledgeAsync(string tenantId, string id, string? by, CancellationToken cancellationToken);
}
