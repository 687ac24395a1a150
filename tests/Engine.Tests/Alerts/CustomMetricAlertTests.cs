using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Tests.Alerts;

/// <summary>An alert rule watching an organisation's custom metric, read over the same closed minutes as the built-in ones.</summary>
public sealed class CustomMetricAlertTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 4, 9, 0, 0, TimeSpan.Zero);

    private static ClosedMinute Minute(int index, MinuteFigures figures)
    {
        var at = Start.AddMinutes(index);
        return new ClosedMinute(TestEvents.Store, at, at.UtcDateTime, "UTC", "GBP", figures, MinuteFigures.Zero, MinuteFigures.Zero, 0,
            [new StreamReading(KpiStream.Revenue, new AnomalyVerdict(false, 60, 60, 50, 70, 0.05, AnomalySeverity.None))]);
    }

    private static AlertRule Rule(string formula) => new()
    {
        Id = "rule-visit",
        TenantId = TestEvents.Store.TenantId,
        Name = "Visits pay less",
        Kind = AlertRuleKind.Threshold,
        Threshold = 5m,
        WindowMinutes = 5,
        Direction = AlertDirection.Below,
        CustomMetric = new AlertCustomMetric("m1", "Revenue per visit", formula),
    };

    [Fact]
    public void Threshold_rule_on_a_custom_metric_fires_on_the_formula_over_the_window_and_names_the_metric()
    {
        var rule = Rule("revenue / sessions");
        var book = new AlertBook(TestEvents.Store, []);

        // Minutes 0-4: 60 revenue over 10 sessions each; from minute 5, over 20. Window 2..6 = 300 / 70 = 4.2857, the first under 5.
        var effects = Enumerable.Range(0, 10).SelectMany(i => book.Process(Minute(i, new MinuteFigures(60m, 1, i < 5 ? 10 : 20)), [rule])).ToList();

        var alert = Assert.Single(effects.OfType<AlertOpened>()).Alert;
        Assert.Equal(Start.AddMinutes(7), alert.FiredAt);
        Assert.Equal((4.2857m, 5m, "Revenue per visit"), (alert.Figures.Observed, alert.Figures.Expected, alert.Figures.CustomMetricName));
        Assert.Equal("Visits pay less: Revenue per visit over the last 5 minutes is 4.29, below the threshold of 5.", alert.Message);
    }

    [Fact]
    public void Custom_metric_without_a_value_never_fires()
    {
        var rule = Rule("revenue / sessions");
        var book = new AlertBook(TestEvents.Store, []);

        // No sessions at all: revenue per visit has no value, which is not "below 5".
        var effects = Enumerable.Range(0, 10).SelectMany(i => book.Process(Minute(i, new MinuteFigures(60m, 1, 0)), [rule])).ToList();

        Assert.Empty(effects.OfType<AlertOpened>());
    }

    [Theory]
    [InlineData("revenue - orders * 10", 50)]
    [InlineData("aov / if_zero(conversion, 1)", 60)]
    [InlineData("refunds", null)]
    public void Custom_metric_reads_the_minute_figures_by_name(string formula, int? expected) =>
        Assert.Equal((decimal?)expected, new AlertCustomMetric("m", "M", formula).ValueOf(new MinuteFigures(60m, 1, 0)));
}
