using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Tests.Alerts;

/// <summary>The alert lifecycle of a store, minute by minute, without actors: one alert per problem, resolution, spacing, quiet hours.</summary>
public sealed class AlertBookTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 4, 9, 0, 0, TimeSpan.Zero);

    private static AlertRule Rule(AlertRuleKind kind, Action<AlertRuleBuilder>? change = null)
    {
        var rule = new AlertRuleBuilder { Kind = kind };
        change?.Invoke(rule);
        return rule.Build();
    }

    /// <summary>A closed minute whose revenue stream reads <paramref name="value"/> against a usual 1,000 (band 800-1,200).</summary>
    private static ClosedMinute Minute(int index, double value, bool anomaly, int? sinceLastOrder = 0, MinuteFigures? figures = null, MinuteFigures? lastWeek = null)
    {
        var at = Start.AddMinutes(index);
        var verdict = new AnomalyVerdict(anomaly, value, 1000, 800, 1200, anomaly ? 0.9 : 0.05,
            anomaly ? AnomalyVerdict.SeverityOf(value, 1000, 800, 1200) : AnomalySeverity.None);
        return new ClosedMinute(TestEvents.Store, at, at.UtcDateTime, "UTC", "GBP", figures ?? new MinuteFigures(60m, 1, 0), MinuteFigures.Zero,
            lastWeek ?? new MinuteFigures(60m, 1, 0), sinceLastOrder, [new StreamReading(KpiStream.Revenue, verdict)]);
    }

    [Fact]
    public void A_fifty_minute_slump_fires_one_alert_and_resolves_once_revenue_is_back()
    {
        var rule = Rule(AlertRuleKind.Anomaly);
        var book = new AlertBook(TestEvents.Store, []);
        var effects = new List<AlertEffect>();
        var i = 0;
        for (; i < 30; i++)
        {
            effects.AddRange(book.Process(Minute(i, 1000, false), [rule]));
        }

        // The detector flags the first minutes of the slump; the value stays under the band for fifty minutes.
        for (var k = 0; k < 50; k++, i++)
        {
            effects.AddRange(book.Process(Minute(i, 300, anomaly: k < 6), [rule]));
        }

        var opened = Assert.Single(effects.OfType<AlertOpened>());
        Assert.Equal(Start.AddMinutes(31), opened.Alert.FiredAt);
        Assert.Equal((300m, 1000m, 800m, 1200m, -0.7m, AnomalySeverity.High),
            (opened.Alert.Figures.Observed, opened.Alert.Figures.Expected, opened.Alert.Figures.Lower, opened.Alert.Figures.Upper, opened.Alert.Figures.ChangeRatio, opened.Alert.Figures.Severity));
        Assert.Contains("GBP 300.00, expected GBP 1,000.00 (normal range GBP 800.00 to GBP 1,200.00), 70% below", opened.Alert.Message);
        Assert.Empty(effects.OfType<AlertClosed>());

        // Back to normal: four clear minutes are not enough, the fifth resolves.
        for (var k = 0; k < 4; k++, i++)
        {
            Assert.Empty(book.Process(Minute(i, 990, false), [rule]));
        }

        var resolution = book.Process(Minute(i, 1010, false), [rule]);
        var closed = Assert.Single(resolution.OfType<AlertClosed>());
        Assert.Equal((opened.Alert.Id, AlertStatus.Resolved, Start.AddMinutes(i + 1)), (closed.Alert.Id, closed.Alert.Status, closed.Alert.ResolvedAt));
        Assert.Equal(1010m, closed.Alert.ResolvedFigures!.Observed);
        var notices = effects.Concat(resolution).OfType<AlertNotify>().Select(n => n.Kind).ToList();
        Assert.Equal([AlertNotificationKind.Fired, AlertNotificationKind.Resolved], notices);
    }

    [Fact]
    public void A_rule_fires_again_only_after_its_frequency()
    {
        var rule = Rule(AlertRuleKind.Anomaly, r => r.Frequency = TimeSpan.FromMinutes(30));
        var book = new AlertBook(TestEvents.Store, []);
        var opened = new List<Alert>();
        for (var i = 0; i < 60; i++)
        {
            // A slump every 10 minutes, each lasting 2 minutes and clearing for 8.
            var slump = i % 10 < 2;
            opened.AddRange(book.Process(Minute(i, slump ? 300 : 1000, slump), [rule]).OfType<AlertOpened>().Select(o => o.Alert));
        }

        Assert.Equal([Start.AddMinutes(1), Start.AddMinutes(31)], opened.Select(a => a.FiredAt));
    }

    [Fact]
    public void Quiet_hours_hold_the_notice_until_they_end_and_a_problem_gone_by_then_wakes_no_one()
    {
        // Quiet from 09:00 to 09:20 (UTC store); the book's clock starts at 09:00.
        var rule = Rule(AlertRuleKind.Anomaly, r => r.QuietHours = new QuietHours(new TimeOnly(9, 0), new TimeOnly(9, 20)));
        var book = new AlertBook(TestEvents.Store, []);
        var effects = new List<AlertEffect>();
        for (var i = 0; i < 30; i++)
        {
            effects.AddRange(book.Process(Minute(i, 300, anomaly: i < 3), [rule]));
        }

        Assert.Single(effects.OfType<AlertOpened>());
        var notice = Assert.Single(effects.OfType<AlertNotify>());
        Assert.True(notice.HeldByQuietHours);
        Assert.Equal(AlertNotificationKind.Fired, notice.Kind);

        // A second problem inside the quiet hours that resolves before they end is recorded but nobody is told.
        var other = new AlertBook(TestEvents.Store, []);
        var quietOnly = new List<AlertEffect>();
        for (var i = 0; i < 30; i++)
        {
            quietOnly.AddRange(other.Process(Minute(i, i < 5 ? 300 : 1000, anomaly: i < 3), [rule]));
        }

        Assert.Single(quietOnly.OfType<AlertOpened>());
        Assert.Single(quietOnly.OfType<AlertClosed>());
        Assert.Empty(quietOnly.OfType<AlertNotify>());
    }

    [Fact]
    public void No_orders_for_the_window_fires_the_checkout_alarm_and_an_order_resolves_it()
    {
        var rule = Rule(AlertRuleKind.NoOrders, r => r.WindowMinutes = 20);
        var book = new AlertBook(TestEvents.Store, []);
        var effects = new List<AlertEffect>();
        for (var i = 0; i < 45; i++)
        {
            var since = i < 10 ? 0 : i - 9;
            effects.AddRange(book.Process(Minute(i, 1000, false, since, figures: since == 0 ? new MinuteFigures(50m, 1, 0) : MinuteFigures.Zero,
                lastWeek: new MinuteFigures(55m, 2, 0)), [rule]));
        }

        var opened = Assert.Single(effects.OfType<AlertOpened>());
        Assert.Equal(Start.AddMinutes(30), opened.Alert.FiredAt);
        Assert.Equal((20m, 40m), (opened.Alert.Figures.Observed, opened.Alert.Figures.Expected));
        Assert.Equal("No orders: no orders for 20 minutes (the same 20 minutes last week had 40).", opened.Alert.Message);

        for (var i = 45; i < 50; i++)
        {
            effects.AddRange(book.Process(Minute(i, 1000, false, 0, new MinuteFigures(70m, 1, 0)), [rule]));
        }

        Assert.Single(effects.OfType<AlertClosed>());
    }

    [Fact]
    public void Percent_change_against_last_week_fires_on_the_windowed_figures()
    {
        var rule = Rule(AlertRuleKind.PercentChange, r =>
        {
            r.Threshold = 30m;
            r.WindowMinutes = 10;
        });
        var book = new AlertBook(TestEvents.Store, []);
        var opened = new List<Alert>();
        for (var i = 0; i < 20; i++)
        {
            // Last week 100 a minute; this week 100 for ten minutes, then 60.
            var now = new MinuteFigures(i < 10 ? 100m : 60m, 2, 0);
            opened.AddRange(book.Process(Minute(i, 1000, false, 0, now, new MinuteFigures(100m, 2, 0)), [rule]).OfType<AlertOpened>().Select(o => o.Alert));
        }

        // The 10-minute window reaches -30% once 7.5 of its minutes are slow: at the eighth slow minute (index 17).
        var alert = Assert.Single(opened);
        Assert.Equal(Start.AddMinutes(18), alert.FiredAt);
        Assert.Equal((680m, 1000m, -0.32m), (alert.Figures.Observed, alert.Figures.Expected, alert.Figures.ChangeRatio));
    }

    [Fact]
    public void An_alert_still_open_before_a_restart_is_not_opened_again()
    {
        var rule = Rule(AlertRuleKind.Anomaly);
        var first = new AlertBook(TestEvents.Store, []);
        var opened = first.Process(Minute(0, 300, true), [rule]).OfType<AlertOpened>().Single().Alert;

        var restarted = new AlertBook(TestEvents.Store, [opened]);
        var effects = Enumerable.Range(1, 20).SelectMany(i => restarted.Process(Minute(i, 300, i < 4), [rule])).ToList();
        Assert.Empty(effects.OfType<AlertOpened>());
        Assert.Same(opened, restarted.OpenAlertOf(rule.Id));
    }

    [Fact]
    public void Threshold_rule_on_average_order_value_compares_the_window_with_the_level()
    {
        var rule = Rule(AlertRuleKind.Threshold, r =>
        {
            r.Metric = AlertMetric.AverageOrderValue;
            r.Threshold = 40m;
            r.WindowMinutes = 5;
        });
        var book = new AlertBook(TestEvents.Store, []);
        var effects = new List<AlertEffect>();
        for (var i = 0; i < 10; i++)
        {
            effects.AddRange(book.Process(Minute(i, 1000, false, 0, new MinuteFigures(i < 5 ? 90m : 70m, 2, 0)), [rule]));
        }

        // Window of minutes 3..7: (2 x 90 + 3 x 70) over 10 orders = 39.00, the first under 40.
        var alert = Assert.Single(effects.OfType<AlertOpened>()).Alert;
        Assert.Equal(Start.AddMinutes(8), alert.FiredAt);
        Assert.Equal(39.00m, alert.Figures.Observed);
        Assert.Contains("Average order value over the last 5 minutes is GBP 39.00, below the threshold of GBP 40.00", alert.Message);
    }
}

/// <summary>Mutable stand-in for a rule, so each test changes only what it is about.</summary>
internal sealed class AlertRuleBuilder
{
    public AlertRuleKind Kind { get; set; }
    public AlertMetric Metric { get; set; } = AlertMetric.Revenue;
    public decimal? Threshold { get; set; }
    public int WindowMinutes { get; set; } = 30;
    public TimeSpan Frequency { get; set; } = TimeSpan.FromHours(1);
    public QuietHours? QuietHours { get; set; }

    public AlertRule Build() => new()
    {
        Id = "rule-1",
        TenantId = TestEvents.Store.TenantId,
        Name = Kind switch
        {
            AlertRuleKind.NoOrders => "No orders",
            AlertRuleKind.Anomaly => "Revenue anomaly",
            _ => "Rule",
        },
        Kind = Kind,
        Metric = Metric,
        Threshold = Threshold,
        WindowMinutes = WindowMinutes,
        Frequency = Frequency,
        QuietHours = QuietHours,
    };
}
