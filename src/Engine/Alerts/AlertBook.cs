using System.Globalization;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Alerts;

/// <summary>Why people are told about an alert.</summary>
public enum AlertNotificationKind
{
    Fired,
    Resolved,
}

/// <summary>What processing a closed minute changed.</summary>
public abstract record AlertEffect;

/// <summary>A rule started firing for the store: a new alert to store.</summary>
public sealed record AlertOpened(Alert Alert) : AlertEffect;

/// <summary>An open alert's condition has cleared: store its resolution.</summary>
public sealed record AlertClosed(Alert Alert) : AlertEffect;

/// <summary>Tell the rule's recipients; <paramref name="HeldByQuietHours"/> when it waited for quiet hours to end.</summary>
public sealed record AlertNotify(Alert Alert, AlertRule Rule, AlertNotificationKind Kind, bool HeldByQuietHours) : AlertEffect;

/// <summary>
/// The alert lifecycle of one store, pure: fed each closed minute and the rules that apply, it opens at most one alert
/// per rule while the condition holds (deduplicated, however many minutes it lasts), resolves it once the condition has
/// been clear for <see cref="ClearMinutes"/> minutes in a row, spaces alerts of a rule by its frequency, and holds
/// notifications during quiet hours. The evaluator actor stores and delivers the effects.
/// </summary>
public sealed class AlertBook
{
    /// <summary>Minutes a condition must stay clear before its alert resolves, so a figure hovering at the line does not flap.</summary>
    public const int ClearMinutes = 5;

    /// <summary>
    /// Minutes a stream must stay outside the detector's band (in the rule's direction) for an anomaly rule to fire
    /// without the spectral step agreeing. On a 15-minute revenue stream the spectral step mostly flags the sharp
    /// recovery, not the slide into a slump; ten minutes outside a four-sigma band catches a 60% drop within about half an
    /// hour while a noisy synthetic shop crossed it about once in two days (bench/Forecasts prints the figures on retail data).
    /// </summary>
    public const int SustainedMinutes = 10;

    private readonly Dictionary<string, RuleTrack> _tracks = new(StringComparer.Ordinal);
    private readonly LinkedList<ClosedMinute> _minutes = new();
    private readonly Func<DateTimeOffset, string> _newId;

    /// <param name="store">The store whose minutes are fed.</param>
    /// <param name="open">Alerts still open from before (after a restart), so they are not opened again.</param>
    /// <param name="newId">Makes an alert id from the firing time.</param>
    public AlertBook(StoreRef store, IEnumerable<Alert> open, Func<DateTimeOffset, string>? newId = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(open);
        Store = store;
        _newId = newId ?? (at => Guid.CreateVersion7(at).ToString("N"));
        foreach (var alert in open.Where(a => a.Status != AlertStatus.Resolved))
        {
            _tracks[alert.RuleId] = new RuleTrack { Open = alert, LastFiredAt = alert.FiredAt, FiredNotified = true };
        }
    }

    public StoreRef Store { get; }

    /// <summary>The newest minute processed; older or repeated minutes are ignored.</summary>
    public DateTimeOffset? LastMinute => _minutes.Last?.Value.Minute;

    /// <summary>The open alert of a rule, if any.</summary>
    public Alert? OpenAlertOf(string ruleId) => _tracks.TryGetValue(ruleId, out var t) ? t.Open : null;

    public IReadOnlyList<AlertEffect> Process(ClosedMinute minute, IReadOnlyList<AlertRule> rules)
    {
        ArgumentNullException.ThrowIfNull(minute);
        ArgumentNullException.ThrowIfNull(rules);
        if (LastMinute is { } last && minute.Minute <= last)
        {
            return [];
        }

        // Windows read only the figures of past minutes: their verdicts (most of a closed minute's size) are not kept.
        _minutes.AddLast(minute with { Readings = [] });
        while (_minutes.Count > MinuteMonitor.KeptMinutes)
        {
            _minutes.RemoveFirst();
        }

        var effects = new List<AlertEffect>();
        var applying = rules.Where(r => r.Enabled && r.AppliesTo(Store.StoreId)).ToList();
        foreach (var rule in applying)
        {
            Evaluate(rule, minute, effects);
        }

        // A rule deleted or switched off while its alert is open: nothing will ever clear it, so it resolves now.
        foreach (var (ruleId, track) in _tracks)
        {
            if (track.Open is { } open && applying.All(r => r.Id != ruleId))
            {
                var closed = open with { Status = AlertStatus.Resolved, ResolvedAt = minute.Minute.AddMinutes(1) };
                effects.Add(new AlertClosed(closed));
                track.Open = null;
                track.ClearStreak = 0;
            }
        }

        return effects;
    }

    private void Evaluate(AlertRule rule, ClosedMinute minute, List<AlertEffect> effects)
    {
        if (!_tracks.TryGetValue(rule.Id, out var track))
        {
            track = new RuleTrack();
            _tracks[rule.Id] = track;
        }

        var reading = Read(rule, minute, track);
        var knownAt = minute.Minute.AddMinutes(1);
        var quiet = rule.QuietHours?.Contains(TimeOnly.FromDateTime(minute.LocalMinute.AddMinutes(1))) == true;

        if (track.Open is not { } open)
        {
            if (reading is not { Fires: true } firing)
            {
                return;
            }

            if (track.LastFiredAt is { } lastFired && knownAt - lastFired < rule.Frequency)
            {
                return;
            }

            var alert = new Alert
            {
                Id = _newId(knownAt),
                TenantId = Store.TenantId,
                StoreId = Store.StoreId,
                RuleId = rule.Id,
                RuleName = rule.Name,
                Kind = rule.Kind,
                Status = AlertStatus.Firing,
                FiredAt = knownAt,
                Message = AlertText.Fired(rule, firing.Figures),
                Figures = firing.Figures,
            };
            track.Open = alert;
            track.LastFiredAt = knownAt;
            track.ClearStreak = 0;
            track.FiredNotified = !quiet;
            effects.Add(new AlertOpened(alert));
            if (!quiet)
            {
                effects.Add(new AlertNotify(alert, rule, AlertNotificationKind.Fired, HeldByQuietHours: false));
            }

            return;
        }

        if (reading is null)
        {
            return;
        }

        if (reading.Holds)
        {
            track.ClearStreak = 0;
            if (!track.FiredNotified && !quiet)
            {
                // Quiet hours are over and it is still going on: now people hear of it.
                track.FiredNotified = true;
                effects.Add(new AlertNotify(open, rule, AlertNotificationKind.Fired, HeldByQuietHours: true));
            }

            return;
        }

        if (++track.ClearStreak < ClearMinutes)
        {
            return;
        }

        var resolved = open with
        {
            Status = AlertStatus.Resolved,
            ResolvedAt = knownAt,
            ResolvedFigures = reading.Figures,
        };
        effects.Add(new AlertClosed(resolved));

        // Only those who heard it fire hear it resolve; a problem that came and went in quiet hours wakes no one.
        if (track.FiredNotified && !quiet)
        {
            effects.Add(new AlertNotify(resolved, rule, AlertNotificationKind.Resolved, HeldByQuietHours: false));
        }

        track.Open = null;
        track.ClearStreak = 0;
    }

    /// <summary>Whether the rule fires on this minute, whether an open alert's condition still holds, and the figures; null when unknown.</summary>
    private Reading? Read(AlertRule rule, ClosedMinute minute, RuleTrack track)
    {
        var metric = StreamOf(rule.Metric);
        var channel = rule.Channel;

        // A channel rule reads the channel's part of each minute; a minute before the channel first sold reads as nothing sold.
        Func<ClosedMinute, MinuteFigures> now = channel is { } c ? m => m.ChannelOf(c)?.Figures ?? MinuteFigures.Zero : m => m.Figures;
        Func<ClosedMinute, MinuteFigures> yesterday = channel is { } cy ? m => m.ChannelOf(cy)?.Yesterday ?? MinuteFigures.Zero : m => m.Yesterday;
        Func<ClosedMinute, MinuteFigures> lastWeek = channel is { } cw ? m => m.ChannelOf(cw)?.LastWeek ?? MinuteFigures.Zero : m => m.LastWeek;
        switch (rule.Kind)
        {
            case AlertRuleKind.Anomaly:
            {
                if (minute.VerdictOf(metric, channel) is not { } verdict)
                {
                    return null;
                }

                var below = verdict.Value < verdict.Expected;
                var directionMatches = rule.Direction switch
                {
                    AlertDirection.Below => below,
                    AlertDirection.Above => verdict.Value > verdict.Expected,
                    _ => true,
                };
                var outside = rule.Direction switch
                {
                    AlertDirection.Below => verdict.Value < verdict.Lower,
                    AlertDirection.Above => verdict.Value > verdict.Upper,
                    _ => verdict.Value < verdict.Lower || verdict.Value > verdict.Upper,
                };
                track.OutsideStreak = outside ? track.OutsideStreak + 1 : 0;
                var severity = verdict.IsAnomaly ? verdict.Severity : AnomalyVerdict.SeverityOf(verdict.Value, verdict.Expected, verdict.Lower, verdict.Upper);
                var fires = ((verdict.IsAnomaly && directionMatches) || track.OutsideStreak >= SustainedMinutes) && severity >= rule.MinimumSeverity;
                var expected = Money(verdict.Expected);
                var observed = Money(verdict.Value);
                var figures = new AlertFigures(rule.Metric, observed, expected, Money(verdict.Lower), Money(verdict.Upper),
                    Ratio(observed, expected), verdict.WindowMinutes, minute.Minute, minute.Currency, severity, channel);
                return new Reading(fires, fires || outside, figures);
            }

            case AlertRuleKind.NoOrders:
            {
                var since = channel is { } sc ? minute.ChannelOf(sc)?.MinutesSinceLastOrder : minute.MinutesSinceLastOrder;
                if (since is not { } silence)
                {
                    return null;
                }

                var window = Window(rule.WindowMinutes, lastWeek);
                if (rule.DuringTradingHours)
                {
                    // Silence counts only while the store trades: closed, nothing fires (an open alert clears); just
                    // opened, the night's silence is not held against the morning.
                    var hours = rule.TradingHours ?? TradingHours.Default;
                    var local = TimeOnly.FromDateTime(minute.LocalMinute.AddMinutes(1));
                    if (!hours.Contains(local))
                    {
                        return new Reading(false, false, new AlertFigures(AlertMetric.Orders, silence, window?.Orders, null, null, null, rule.WindowMinutes,
                            minute.Minute, minute.Currency, AnomalySeverity.None, channel));
                    }

                    silence = Math.Min(silence, hours.MinutesOpen(local));
                }

                var fires = silence >= rule.WindowMinutes;
                var figures = new AlertFigures(AlertMetric.Orders, silence, window?.Orders, null, null, null, rule.WindowMinutes,
                    minute.Minute, minute.Currency, AnomalySeverity.None, channel);
                return new Reading(fires, fires, figures);
            }

            case AlertRuleKind.Threshold:
            {
                if (Window(rule.WindowMinutes, now) is not { } window || ValueOf(rule, window, metric) is not { } value || rule.Threshold is not { } level)
                {
                    return null;
                }

                var fires = rule.Direction switch
                {
                    AlertDirection.Below => value < level,
                    AlertDirection.Above => value > level,
                    _ => value != level,
                };
                var figures = new AlertFigures(rule.Metric, value, level, null, null, Ratio(value, level), rule.WindowMinutes,
                    minute.Minute, minute.Currency, AnomalySeverity.None, channel, rule.CustomMetric?.Name);
                return new Reading(fires, fires, figures);
            }

            case AlertRuleKind.PercentChange:
            {
                var then = rule.Comparison == ComparisonPeriod.Yesterday ? yesterday : lastWeek;
                if (Window(rule.WindowMinutes, now) is not { } current || ValueOf(rule, current, metric) is not { } value
                    || Window(rule.WindowMinutes, then) is not { } earlier || ValueOf(rule, earlier, metric) is not { } previous
                    || previous == 0m
                    || rule.Threshold is not { } percent)
                {
                    return null;
                }

                var change = (value - previous) / previous;
                var limit = percent / 100m;
                var fires = rule.Direction switch
                {
                    AlertDirection.Below => change <= -limit,
                    AlertDirection.Above => change >= limit,
                    _ => Math.Abs(change) >= limit,
                };
                var figures = new AlertFigures(rule.Metric, value, previous, null, null, Math.Round(change, 4, MidpointRounding.AwayFromZero),
                    rule.WindowMinutes, minute.Minute, minute.Currency, AnomalySeverity.None, channel, rule.CustomMetric?.Name);
                return new Reading(fires, fires, figures);
            }

            default:
                return null;
        }
    }

    /// <summary>The sum over the last <paramref name="minutes"/> closed minutes; null until that many consecutive minutes are known.</summary>
    private MinuteFigures? Window(int minutes, Func<ClosedMinute, MinuteFigures> figures)
    {
        if (_minutes.Count < minutes || _minutes.Last is not { } node)
        {
            return null;
        }

        var newest = node.Value.Minute;
        var sum = MinuteFigures.Zero;
        for (var i = 0; i < minutes; i++, node = node.Previous!)
        {
            if (node.Value.Minute != newest.AddMinutes(-i))
            {
                return null;
            }

            sum = sum.Plus(figures(node.Value));
        }

        return sum;
    }

    /// <summary>The rule's figure over a window: its custom metric's formula when it has one, else its metric.</summary>
    private static decimal? ValueOf(AlertRule rule, MinuteFigures window, KpiStream metric) =>
        rule.CustomMetric is { } custom ? custom.ValueOf(window) : window.Of(metric);

    internal static KpiStream StreamOf(AlertMetric metric) => metric switch
    {
        AlertMetric.Revenue => KpiStream.Revenue,
        AlertMetric.Orders => KpiStream.Orders,
        AlertMetric.AverageOrderValue => KpiStream.AverageOrderValue,
        AlertMetric.ConversionRate => KpiStream.ConversionRate,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };

    private static decimal Money(double value) => Math.Round((decimal)value, 2, MidpointRounding.AwayFromZero);

    private static decimal? Ratio(decimal observed, decimal? expected) =>
        expected is { } e && e != 0m ? Math.Round((observed - e) / e, 4, MidpointRounding.AwayFromZero) : null;

    private sealed record Reading(bool Fires, bool Holds, AlertFigures Figures);

    private sealed class RuleTrack
    {
        public Alert? Open { get; set; }
        public int ClearStreak { get; set; }
        public DateTimeOffset? LastFiredAt { get; set; }
        public bool FiredNotified { get; set; }
        public int OutsideStreak { get; set; }
    }
}

/// <summary>The sentences alerts are sent with; figures are printed as stored, never rounded into something else.</summary>
public static class AlertText
{
    public static string Fired(AlertRule rule, AlertFigures f)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(f);
        var what = $"{NameOf(f)}{On(f.Channel)} over the last {f.WindowMinutes} minutes";
        return rule.Kind switch
        {
            AlertRuleKind.NoOrders => $"{rule.Name}: no orders{On(f.Channel)} for {Number(f.Observed)} minutes"
                + (f.Expected is { } usual ? $" (the same {f.WindowMinutes} minutes last week had {Number(usual)})." : "."),
            AlertRuleKind.Anomaly => $"{rule.Name}: {what} is {Figure(f.Metric, f.Observed, f.Currency)}, expected {Figure(f.Metric, f.Expected, f.Currency)}"
                + $" (normal range {Figure(f.Metric, f.Lower, f.Currency)} to {Figure(f.Metric, f.Upper, f.Currency)}){Change(f.ChangeRatio)}; severity {f.Severity.ToString().ToLowerInvariant()}.",
            AlertRuleKind.PercentChange => $"{rule.Name}: {what} is {FigureOf(f, f.Observed)} against {FigureOf(f, f.Expected)}"
                + $" {(rule.Comparison == ComparisonPeriod.Yesterday ? "yesterday" : "last week")}{Change(f.ChangeRatio)}.",
            _ => $"{rule.Name}: {what} is {FigureOf(f, f.Observed)}, "
                + $"{(rule.Direction == AlertDirection.Above ? "above" : "below")} the threshold of {FigureOf(f, f.Expected)}.",
        };
    }

    public static string Resolved(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var now = alert.ResolvedFigures is { } f && alert.Kind != AlertRuleKind.NoOrders
            ? $" {NameOf(f)}{On(f.Channel)} over the last {f.WindowMinutes} minutes is back at {FigureOf(f, f.Observed)}."
            : string.Empty;
        return $"Resolved: {alert.RuleName} ({alert.StoreId}), fired at {alert.FiredAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC.{now}";
    }

    /// <summary>What the figures measure: the custom metric's name, else the metric's.</summary>
    public static string NameOf(AlertFigures f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return f.CustomMetricName ?? MetricName(f.Metric);
    }

    /// <summary>A figure of these figures in its unit; a custom metric's unit is its formula's, so it prints as a number.</summary>
    public static string FigureOf(AlertFigures f, decimal? value)
    {
        ArgumentNullException.ThrowIfNull(f);
        return f.CustomMetricName is null ? Figure(f.Metric, value, f.Currency) : value is { } v ? Number(v) : "unknown";
    }

    public static string MetricName(AlertMetric metric) => metric switch
    {
        AlertMetric.Revenue => "Revenue",
        AlertMetric.Orders => "Orders",
        AlertMetric.AverageOrderValue => "Average order value",
        AlertMetric.ConversionRate => "Conversion rate",
        _ => metric.ToString(),
    };

    /// <summary>A figure in its unit: money with its currency code, rates as percentages, counts as whole numbers.</summary>
    public static string Figure(AlertMetric metric, decimal? value, string currency) => value is not { } v
        ? "unknown"
        : metric switch
        {
            AlertMetric.Revenue or AlertMetric.AverageOrderValue => $"{currency} {v.ToString("N2", CultureInfo.InvariantCulture)}",
            AlertMetric.ConversionRate => $"{(v * 100m).ToString("0.##", CultureInfo.InvariantCulture)}%",
            _ => Number(v),
        };

    /// <summary>" on Amazon" for a channel's figure; nothing for the whole store's.</summary>
    public static string On(SalesChannel? channel) => channel is { } c ? $" on {c}" : string.Empty;

    private static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Change(decimal? ratio) => ratio is { } r
        ? $", {Math.Abs(r * 100m).ToString("0", CultureInfo.InvariantCulture)}% {(r < 0 ? "below" : "above")}"
        : string.Empty;
}
