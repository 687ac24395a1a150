using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Alerts;

/// <summary>What makes a rule fire.</summary>
public enum AlertRuleKind
{
    /// <summary>The metric over the last <see cref="AlertRule.WindowMinutes"/> is below (or above) <see cref="AlertRule.Threshold"/>.</summary>
    Threshold,

    /// <summary>The metric over the window changed by at least <see cref="AlertRule.Threshold"/> percent against the same window of the comparison period.</summary>
    PercentChange,

    /// <summary>The entity's detector calls the metric's stream anomalous (in the rule's direction, at least the rule's severity).</summary>
    Anomaly,

    /// <summary>No order for <see cref="AlertRule.WindowMinutes"/> minutes: the "checkout is broken" alarm.</summary>
    NoOrders,
}

/// <summary>The figure a rule watches.</summary>
public enum AlertMetric
{
    Revenue,
    Orders,
    AverageOrderValue,
    ConversionRate,
}

/// <summary>Which way a figure must move for the rule to fire.</summary>
public enum AlertDirection
{
    Below,
    Above,
    Either,
}

/// <summary>What a %-change rule compares the window with.</summary>
public enum ComparisonPeriod
{
    Yesterday,
    LastWeek,
}

/// <summary>Store-local hours during which no one is notified; <see cref="Start"/> after <see cref="End"/> spans midnight.</summary>
public sealed record QuietHours(TimeOnly Start, TimeOnly End)
{
    public bool Contains(TimeOnly local) => Start <= End ? local >= Start && local < End : local >= Start || local < End;
}

/// <summary>A store's trading hours, store-local; <see cref="Closes"/> before <see cref="Opens"/> spans midnight.</summary>
public sealed record TradingHours(TimeOnly Opens, TimeOnly Closes)
{
    /// <summary>What a store trades until someone says otherwise: the working day of most small shops.</summary>
    public static readonly TradingHours Default = new(new TimeOnly(8, 0), new TimeOnly(22, 0));

    public bool Contains(TimeOnly local) => Opens <= Closes ? local >= Opens && local < Closes : local >= Opens || local < Closes;

    /// <summary>Minutes since the store opened (meaningful while <see cref="Contains"/>); TimeOnly subtraction wraps past midnight.</summary>
    public int MinutesOpen(TimeOnly local) => (int)(local - Opens).TotalMinutes;
}

/// <summary>
/// An organisation's alert rule: what to watch, how often it may alert, who hears about it and when not.
/// <see cref="StoreId"/> null watches every store of the organisation, each on its own.
/// </summary>
public sealed record AlertRule
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public string? StoreId { get; init; }
    public required string Name { get; init; }
    public required AlertRuleKind Kind { get; init; }
    public AlertMetric Metric { get; init; } = AlertMetric.Revenue;

    /// <summary>The sales channel the rule watches (its revenue, orders, order value, silence); null for the whole store.</summary>
    public SalesChannel? Channel { get; init; }

    public AlertDirection Direction { get; init; } = AlertDirection.Below;

    /// <summary>The level (Threshold, in the metric's unit; a rate as 0..1) or the change in percent (PercentChange).</summary>
    public decimal? Threshold { get; init; }

    /// <summary>Minutes the figure is taken over (Threshold, PercentChange) or the silence that fires (NoOrders).</summary>
    public int WindowMinutes { get; init; } = 30;

    public ComparisonPeriod Comparison { get; init; } = ComparisonPeriod.LastWeek;

    /// <summary>The least severe anomaly that fires (Anomaly rules).</summary>
    public AnomalySeverity MinimumSeverity { get; init; } = AnomalySeverity.Low;

    /// <summary>At most one alert of this rule per store per this long: after one resolves, a new one waits out the rest.</summary>
    public TimeSpan Frequency { get; init; } = TimeSpan.FromHours(1);

    /// <summary>E-mail addresses told when the alert fires and when it resolves.</summary>
    public IReadOnlyList<string> Recipients { get; init; } = [];

    /// <summary>A Slack-compatible incoming webhook that receives {"text": ...}; null for none.</summary>
    public string? WebhookUrl { get; init; }

    /// <summary>Whether open dashboards of the store get a toast.</summary>
    public bool InApp { get; init; } = true;

    public QuietHours? QuietHours { get; init; }

    /// <summary>
    /// When set, Threshold and PercentChange rules watch this custom metric instead of <see cref="Metric"/>. The
    /// formula is copied when the rule is saved, so a later edit of the metric does not change what the rule meant.
    /// </summary>
    public AlertCustomMetric? CustomMetric { get; init; }

    /// <summary>A no-orders rule that only counts silence while the store trades (a shop is quiet at night by design).</summary>
    public bool DuringTradingHours { get; init; }

    /// <summary>The store's trading hours, filled in by the rule store when the rule is read; <see cref="TradingHours.Default"/> when unknown.</summary>
    public TradingHours? TradingHours { get; init; }

    public bool Enabled { get; init; } = true;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public bool AppliesTo(string storeId) => StoreId is null || string.Equals(StoreId, storeId, StringComparison.Ordinal);
}

/// <summary>An organisation's custom metric as an alert rule watches it: over the figures each closed minute carries.</summary>
public sealed record AlertCustomMetric(string Id, string Name, string Formula)
{
    /// <summary>The figures of closed minutes a formula may name: the minute stream keeps revenue, orders and sessions.</summary>
    public static readonly IReadOnlySet<string> MinuteFigureNames = new HashSet<string>(StringComparer.Ordinal) { "revenue", "orders", "sessions", "aov", "conversion" };

    /// <summary>The metric over a window of minutes; null when it has no value (division by zero, no orders for aov).</summary>
    public decimal? ValueOf(MinuteFigures window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var parse = Metrics.FormulaLanguage.Parse(Formula, MinuteFigureNames);
        return parse.IsValid
            ? Metrics.FormulaEvaluator.Evaluate(parse.Tree!, name => name switch
            {
                "revenue" => window.Revenue,
                "orders" => window.Orders,
                "sessions" => window.Sessions,
                "aov" => window.AverageOrderValue,
                "conversion" => window.ConversionRate,
                _ => null,
            }) is { } value ? Math.Round(value, 4, MidpointRounding.AwayFromZero) : null
            : null;
    }
}

/// <summary>Where an alert is in its life: firing until someone acknowledges it, resolved once the condition clears.</summary>
public enum AlertStatus
{
    Firing,
    Acknowledged,
    Resolved,
}

/// <summary>The figures behind an alert, in the store's currency; what a person reads to judge it.</summary>
/// <param name="Observed">The metric over the rule's window (or, for NoOrders, the minutes without an order).</param>
/// <param name="Expected">What it usually is: the detector's expectation, the comparison window, or the threshold.</param>
/// <param name="Lower">Bottom of the normal band (Anomaly rules).</param>
/// <param name="Upper">Top of the normal band (Anomaly rules).</param>
/// <param name="ChangeRatio">(Observed − Expected) / Expected; null when Expected is zero or unknown.</param>
public sealed record AlertFigures(
    AlertMetric Metric,
    decimal Observed,
    decimal? Expected,
    decimal? Lower,
    decimal? Upper,
    decimal? ChangeRatio,
    int WindowMinutes,
    DateTimeOffset Minute,
    string Currency,
    AnomalySeverity Severity,
    SalesChannel? Channel = null,
    string? CustomMetricName = null);

/// <summary>One alert: a rule firing for a store, from the minute it fired until it resolved.</summary>
public sealed record Alert
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string StoreId { get; init; }
    public required string RuleId { get; init; }
    public required string RuleName { get; init; }
    public required AlertRuleKind Kind { get; init; }
    public required AlertStatus Status { get; init; }
    public required DateTimeOffset FiredAt { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; init; }
    public string? AcknowledgedBy { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>The sentence people are sent, figures included.</summary>
    public required string Message { get; init; }

    /// <summary>The figures when it fired.</summary>
    public required AlertFigures Figures { get; init; }

    /// <summary>The figures when it resolved; null while open.</summary>
    public AlertFigures? ResolvedFigures { get; init; }
}
