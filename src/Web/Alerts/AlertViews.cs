using System.Globalization;
using System.Net.Mail;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;

namespace SalesDash.Web.Alerts;

/// <summary>Quiet hours as the API reads and writes them: store-local "HH:mm".</summary>
public sealed record QuietHoursView(string Start, string End);

/// <summary>
/// A rule as the API takes it. Names of kinds, metrics and the rest are strings (case-insensitive), so a typo is a
/// field error rather than a failed body. Frequency is in minutes.
/// </summary>
public sealed record AlertRuleRequest(
    string? Name,
    string? Kind,
    string? Metric = null,
    string? Direction = null,
    decimal? Threshold = null,
    int? WindowMinutes = null,
    string? Comparison = null,
    string? MinimumSeverity = null,
    int? FrequencyMinutes = null,
    IReadOnlyList<string>? Recipients = null,
    string? WebhookUrl = null,
    bool? InApp = null,
    QuietHoursView? QuietHours = null,
    string? StoreId = null,
    bool? Enabled = null,
    string? Channel = null,
    string? CustomMetricId = null,
    bool? DuringTradingHours = null);

/// <summary>A rule as the API shows it; <c>PausedReason</c> says why the organisation's tier keeps it from running, null while it runs.</summary>
public sealed record AlertRuleView(
    string Id,
    string TenantId,
    string? StoreId,
    string Name,
    string Kind,
    string Metric,
    string Direction,
    decimal? Threshold,
    int WindowMinutes,
    string Comparison,
    string MinimumSeverity,
    int FrequencyMinutes,
    IReadOnlyList<string> Recipients,
    string? WebhookUrl,
    bool InApp,
    QuietHoursView? QuietHours,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Channel,
    string? CustomMetricId = null,
    string? CustomMetricName = null,
    string? PausedReason = null,
    string? CannotEvaluate = null,
    bool DuringTradingHours = false)
{
    public static AlertRuleView Of(AlertRule r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new AlertRuleView(r.Id, r.TenantId, r.StoreId, r.Name, r.Kind.ToString(), r.Metric.ToString(), r.Direction.ToString(), r.Threshold,
            r.WindowMinutes, r.Comparison.ToString(), r.MinimumSeverity.ToString(), (int)r.Frequency.TotalMinutes, r.Recipients, r.WebhookUrl, r.InApp,
            r.QuietHours is { } q ? new QuietHoursView(q.Start.ToString("HH:mm", CultureInfo.InvariantCulture), q.End.ToString("HH:mm", CultureInfo.InvariantCulture)) : null,
            r.Enabled, r.CreatedAt, r.UpdatedAt, r.Channel?.ToString(), r.CustomMetric?.Id, r.CustomMetric?.Name, DuringTradingHours: r.DuringTradingHours);
    }
}

/// <summary>The figures behind an alert as the API and toasts show them.</summary>
public sealed record AlertFiguresView(
    string Metric,
    decimal Observed,
    decimal? Expected,
    decimal? Lower,
    decimal? Upper,
    decimal? ChangeRatio,
    int WindowMinutes,
    DateTimeOffset Minute,
    string Currency,
    string Severity,
    string? Channel)
{
    public static AlertFiguresView Of(AlertFigures f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new AlertFiguresView(f.Metric.ToString(), f.Observed, f.Expected, f.Lower, f.Upper, f.ChangeRatio, f.WindowMinutes, f.Minute, f.Currency,
            f.Severity.ToString(), f.Channel?.ToString());
    }
}

/// <summary>An alert as the list shows it.</summary>
public sealed record AlertView(
    string Id,
    string TenantId,
    string StoreId,
    string RuleId,
    string RuleName,
    string Kind,
    string Status,
    DateTimeOffset FiredAt,
    DateTimeOffset? AcknowledgedAt,
    string? AcknowledgedBy,
    DateTimeOffset? ResolvedAt,
    string Message,
    AlertFiguresView Figures,
    AlertFiguresView? ResolvedFigures,
    DateTimeOffset? SnoozedUntil = null)
{
    public static AlertView Of(Alert a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new AlertView(a.Id, a.TenantId, a.StoreId, a.RuleId, a.RuleName, a.Kind.ToString(), a.Status.ToString(), a.FiredAt, a.AcknowledgedAt,
            a.AcknowledgedBy, a.ResolvedAt, a.Message, AlertFiguresView.Of(a.Figures), a.ResolvedFigures is { } r ? AlertFiguresView.Of(r) : null);
    }
}

/// <summary>Who acknowledges (optional, shown in the list).</summary>
public sealed record AcknowledgeRequest(string? By);

/// <summary>Turns a request into a rule input, or the field errors a person can fix.</summary>
internal static class AlertRuleValidation
{
    private const int MaxName = 80;
    private const int MaxRecipients = 20;

    public static AlertRuleInput? Parse(AlertRuleRequest? request, Func<string, bool> storeExists, out Dictionary<string, string[]> errors)
    {
        errors = [];
        if (request is null)
        {
            errors["body"] = ["A rule is required."];
            return null;
        }

        var e = errors;
        void Error(string field, string message) => e[field] = [message];

        var name = request.Name?.Trim() ?? string.Empty;
        if (name.Length is 0 or > MaxName)
        {
            Error("name", $"A name of 1 to {MaxName} characters is required.");
        }

        var kind = ParseEnum<AlertRuleKind>(request.Kind, null, "kind", Error);
        var metric = ParseEnum<AlertMetric>(request.Metric, AlertMetric.Revenue, "metric", Error);
        var direction = ParseEnum<AlertDirection>(request.Direction, AlertDirection.Below, "direction", Error);
        var comparison = ParseEnum<ComparisonPeriod>(request.Comparison, ComparisonPeriod.LastWeek, "comparison", Error);
        var severity = ParseEnum<AnomalySeverity>(request.MinimumSeverity, AnomalySeverity.Low, "minimumSeverity", Error);

        // No channel watches the whole store; a channel is one the connectors know.
        SalesChannel? channel = string.IsNullOrWhiteSpace(request.Channel) ? null : ParseEnum<SalesChannel>(request.Channel, null, "channel", Error);
        if (channel is not null && kind != AlertRuleKind.NoOrders && metric == AlertMetric.ConversionRate)
        {
            Error("channel", "Conversion cannot be watched per channel: sessions and orders arrive through different channels.");
        }
        if (severity == AnomalySeverity.None)
        {
            Error("minimumSeverity", "Use Low, Medium or High.");
        }

        var window = request.WindowMinutes ?? (kind == AlertRuleKind.NoOrders ? 60 : 30);
        if (window < 1 || window > MinuteMonitor.KeptMinutes)
        {
            Error("windowMinutes", $"Must be between 1 and {MinuteMonitor.KeptMinutes} minutes.");
        }

        switch (kind)
        {
            case AlertRuleKind.Threshold when request.Threshold is not { } level || level < 0:
                Error("threshold", "A threshold rule needs a threshold of 0 or more, in the metric's unit (a rate as 0..1).");
                break;
            case AlertRuleKind.Threshold when direction == AlertDirection.Either:
                Error("direction", "A threshold rule fires Below or Above its level.");
                break;
            case AlertRuleKind.PercentChange when request.Threshold is not { } percent || percent <= 0 || percent > 1000:
                Error("threshold", "A %-change rule needs the change in percent, above 0 and at most 1000.");
                break;
            case AlertRuleKind.NoOrders when window < 5:
                Error("windowMinutes", "No orders needs at least 5 minutes of silence.");
                break;
        }

        if (request.DuringTradingHours == true && kind is not null && kind != AlertRuleKind.NoOrders)
        {
            Error("duringTradingHours", "Only a no-orders rule counts silence in trading hours.");
        }

        var frequency = request.FrequencyMinutes ?? 60;
        if (frequency < 1 || frequency > 7 * 24 * 60)
        {
            Error("frequencyMinutes", "Must be between 1 minute and 7 days.");
        }

        var recipients = (request.Recipients ?? []).Select(r => r?.Trim() ?? string.Empty).ToList();
        if (recipients.Count > MaxRecipients)
        {
            Error("recipients", $"At most {MaxRecipients} recipients.");
        }

        for (var i = 0; i < recipients.Count; i++)
        {
            if (!MailAddress.TryCreate(recipients[i], out var address) || address.Address != recipients[i])
            {
                Error($"recipients[{i}]", "Not an e-mail address.");
            }
        }

        var webhook = string.IsNullOrWhiteSpace(request.WebhookUrl) ? null : request.WebhookUrl.Trim();
        if (webhook is not null && (!Uri.TryCreate(webhook, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)))
        {
            Error("webhookUrl", "Must be an absolute http(s) URL.");
        }

        QuietHours? quiet = null;
        if (request.QuietHours is { } q)
        {
            var okStart = TimeOnly.TryParseExact(q.Start, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start);
            var okEnd = TimeOnly.TryParseExact(q.End, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end);
            if (!okStart || !okEnd || start == end)
            {
                Error("quietHours", "Start and end are store-local HH:mm and must differ (22:00 to 07:00 spans midnight).");
            }
            else
            {
                quiet = new QuietHours(start, end);
            }
        }

        var storeId = string.IsNullOrWhiteSpace(request.StoreId) ? null : request.StoreId.Trim();
        if (storeId is not null && !storeExists(storeId))
        {
            Error("storeId", $"The organisation has no store '{storeId}'.");
        }

        if (errors.Count > 0 || kind is not { } k)
        {
            return null;
        }

        return new AlertRuleInput(name, k, metric ?? AlertMetric.Revenue, direction ?? AlertDirection.Below, request.Threshold, window,
            comparison ?? ComparisonPeriod.LastWeek, severity ?? AnomalySeverity.Low, TimeSpan.FromMinutes(frequency), recipients, webhook,
            request.InApp ?? true, quiet, storeId, request.Enabled ?? true, channel, DuringTradingHours: request.DuringTradingHours ?? false);
    }

    private static T? ParseEnum<T>(string? text, T? fallback, string field, Action<string, string> error)
        where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (fallback is null)
            {
                error(field, $"Required: one of {string.Join(", ", Enum.GetNames<T>())}.");
            }

            return fallback;
        }

        if (Enum.TryParse<T>(text.Trim(), ignoreCase: true, out var value) && Enum.IsDefined(value) && !int.TryParse(text, out _))
        {
            return value;
        }

        error(field, $"Must be one of {string.Join(", ", Enum.GetNames<T>())}.");
        return fallback;
    }
}
