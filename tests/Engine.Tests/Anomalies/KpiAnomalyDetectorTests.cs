using SalesDash.Engine.Anomalies;

namespace SalesDash.Engine.Tests.Anomalies;

public sealed class KpiAnomalyDetectorTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(5);

    // Monday 5 January 2026, 00:00 store-local time.
    private static readonly DateTimeOffset FirstMonday = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    private static readonly int PointsPerWeek = (int)(TimeSpan.FromDays(7) / Step);

    // Five-minute steps keep five weeks of history quick; half a day of points as the spectral window.
    private static readonly KpiAnomalyOptions Options = new() { Step = Step, WindowSize = 144 };

    /// <summary>
    /// Revenue per five minutes of a shop with a weekly rhythm: quiet nights, busier weekdays than weekends, and a
    /// Monday-morning rush (09:00–11:00) three times the usual weekday level. 5% noise, fixed seed.
    /// </summary>
    private static (DateTimeOffset[] At, double[] Revenue) WeeklyRevenue(int weeks, int seed = 20260105)
    {
        var random = new Random(seed);
        var count = weeks * PointsPerWeek;
        var at = new DateTimeOffset[count];
        var revenue = new double[count];
        for (var i = 0; i < count; i++)
        {
            at[i] = FirstMonday + (Step * i);
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            revenue[i] = Math.Max(0, UsualLevel(at[i]) * (1 + (0.05 * gaussian)));
        }

        return (at, revenue);
    }

    private static double UsualLevel(DateTimeOffset at)
    {
        var hour = at.Hour + (at.Minute / 60.0);
        var level = at.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 300.0 : 500.0;
        if (hour < 7)
        {
            level *= 0.3;
        }
        else if (hour >= 21)
        {
            level *= 0.5;
        }

        if (at.DayOfWeek == DayOfWeek.Monday && hour is >= 9 and < 11)
        {
            level *= 3;
        }

        return level;
    }

    private static AnomalyVerdict[] Run(DateTimeOffset[] at, double[] values, KpiAnomalyOptions? options = null)
    {
        var detector = new KpiAnomalyDetector(options ?? Options);
        return at.Select((t, i) => detector.Observe(t, values[i])).ToArray();
    }

    [Fact]
    public void Normal_monday_morning_rush_is_not_an_anomaly_once_previous_mondays_are_known()
    {
        var (at, revenue) = WeeklyRevenue(weeks: 5);
        var verdicts = Run(at, revenue);
        var lastWeek = 4 * PointsPerWeek;
        var rushStart = lastWeek + (int)(TimeSpan.FromHours(9) / Step);

        // Spectral Residual on its own does call the 09:00 jump an anomaly: the seasonal baseline is what clears it.
        var spectralOnly = new StreamingSrDetector(Options.WindowSize, new SpectralResidualOptions { Threshold = Options.Threshold, Sensitivity = Options.Sensitivity });
        var spectral = revenue.Select(spectralOnly.Push).ToArray();
        Assert.True(spectral[rushStart] is { IsAnomaly: true }, "the spectral detector alone should flag the Monday 09:00 jump");

        Assert.Empty(Enumerable.Range(lastWeek, PointsPerWeek).Where(i => verdicts[i].IsAnomaly).Select(i => $"{at[i]:ddd HH:mm} {verdicts[i]}"));

        // Mid-rush the baseline expects the rush level, and the value sits inside its band.
        var midRush = verdicts[rushStart + 6];
        Assert.Equal(AnomalySeverity.None, midRush.Severity);
        Assert.InRange(midRush.Expected, 1500 * 0.95, 1500 * 1.05);
        Assert.InRange(midRush.Value, midRush.Lower, midRush.Upper);
    }

    [Fact]
    public void Forty_percent_drop_is_an_anomaly_with_the_usual_level_as_expected_value()
    {
        var (at, revenue) = WeeklyRevenue(weeks: 5);
        var dropStart = (4 * PointsPerWeek) + (int)(TimeSpan.FromDays(1) / Step) + (int)(TimeSpan.FromHours(14) / Step);
        for (var i = dropStart; i < dropStart + 12; i++)
        {
            revenue[i] *= 0.6;
        }

        var verdicts = Run(at, revenue);

        var drop = verdicts[dropStart];
        Assert.Equal(DayOfWeek.Tuesday, at[dropStart].DayOfWeek);
        Assert.True(drop.IsAnomaly, $"40% drop at {at[dropStart]:ddd HH:mm} not flagged: {drop}");
        Assert.InRange(drop.Expected, 500 * 0.95, 500 * 1.05);
        Assert.True(drop.Value < drop.Lower, $"{drop.Value} not below the band [{drop.Lower}, {drop.Upper}]");
        Assert.True(drop.Score > Options.Threshold);
        Assert.NotEqual(AnomalySeverity.None, drop.Severity);

        // The drop is reported when it starts, not again for every five minutes of it, and nothing else that week.
        var flagged = Enumerable.Range(4 * PointsPerWeek, PointsPerWeek).Where(i => verdicts[i].IsAnomaly).ToArray();
        Assert.Equal([dropStart], flagged);
    }

    [Fact]
    public void Without_two_seasons_of_history_the_spectral_verdict_and_band_stand_alone()
    {
        var (at, revenue) = WeeklyRevenue(weeks: 1);
        var spike = (int)(TimeSpan.FromDays(2) / Step) + (int)(TimeSpan.FromHours(15) / Step);
        revenue[spike] = 5000;

        var verdicts = Run(at, revenue);
        var spectral = new StreamingSrDetector(Options.WindowSize, new SpectralResidualOptions { Threshold = Options.Threshold, Sensitivity = Options.Sensitivity });
        var expected = revenue.Select(spectral.Push).ToArray();

        var verdict = verdicts[spike];
        Assert.True(verdict.IsAnomaly);
        Assert.Equal(expected[spike]!.Value.ExpectedValue, verdict.Expected);
        Assert.Equal(expected[spike]!.Value.UpperBound, verdict.Upper);
        Assert.Equal(AnomalySeverity.High, verdict.Severity);
    }

    [Fact]
    public void Band_of_a_revenue_stream_never_reaches_below_zero()
    {
        // Nights at zero with the odd order: the seasonal spread is wide relative to a median of zero.
        var (at, revenue) = WeeklyRevenue(weeks: 3);
        for (var i = 0; i < revenue.Length; i++)
        {
            if (at[i].Hour < 7)
            {
                revenue[i] = i % 17 == 0 ? 80 : 0;
            }
        }

        var verdicts = Run(at, revenue);

        Assert.All(verdicts, v => Assert.True(v.Lower >= 0, $"lower {v.Lower}"));
        Assert.Contains(verdicts, v => v.Lower == 0 && v.Upper > 0);
    }

    [Fact]
    public void First_points_are_not_judged_and_get_a_band_of_zero_width_around_the_value()
    {
        var detector = new KpiAnomalyDetector(Options);
        for (var i = 0; i < SpectralResidual.MinimumPoints - 1; i++)
        {
            var verdict = detector.Observe(FirstMonday + (Step * i), 1000 * (i + 1));
            Assert.Equal(AnomalyVerdict.WarmingUp(1000 * (i + 1)), verdict);
        }
    }

    [Theory]
    [InlineData(110, 100, 90, 110, AnomalySeverity.None)]
    [InlineData(114, 100, 90, 110, AnomalySeverity.Low)]
    [InlineData(80, 100, 90, 110, AnomalySeverity.Medium)]
    [InlineData(131, 100, 90, 110, AnomalySeverity.High)]
    public void Severity_counts_half_bands_from_the_expected_value(double value, double expected, double lower, double upper, AnomalySeverity severity)
        => Assert.Equal(severity, AnomalyVerdict.SeverityOf(value, expected, lower, upper));
}
