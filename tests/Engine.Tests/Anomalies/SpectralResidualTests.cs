using SalesDash.Engine.Anomalies;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>
/// The verdicts ML.NET's own tests demand of its SrCnn detector (test/Microsoft.ML.TimeSeries.Tests/TimeSeriesDirectApi.cs),
/// on the same input files and with the same settings.
/// </summary>
public sealed class SpectralResidualTests
{
    private static int[] AnomalyIndices(SpectralResidualPoint[] points)
        => Enumerable.Range(0, points.Length).Where(i => points[i].IsAnomaly).ToArray();

    private static void AssertEveryOrdinaryValueInsideItsBand(double[] values, SpectralResidualPoint[] points)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!points[i].IsAnomaly)
            {
                Assert.True(points[i].LowerBound <= values[i] && values[i] <= points[i].UpperBound,
                    $"index {i}: {values[i]} outside [{points[i].LowerBound}, {points[i].UpperBound}]");
            }
            else
            {
                Assert.True(values[i] < points[i].LowerBound || values[i] > points[i].UpperBound,
                    $"anomaly at {i}: {values[i]} inside [{points[i].LowerBound}, {points[i].UpperBound}]");
            }
        }
    }

    [Fact]
    public void Spike_in_a_flat_series_is_the_only_anomaly_and_its_expected_value_is_the_flat_level()
    {
        var values = MlNetTimeSeriesData.Load("anomaly_detection.csv");
        var points = new SpectralResidual(new SpectralResidualOptions { Threshold = 0.35, Sensitivity = 98 }).Detect(values);

        Assert.Equal([20], AnomalyIndices(points));
        var spike = points[20];
        Assert.Equal(10, values[20]);
        Assert.Equal(5.00, spike.ExpectedValue, 2);
        Assert.Equal(5.00, spike.BoundaryUnit, 2);
        Assert.Equal(5.01, spike.UpperBound, 2);
        Assert.Equal(4.99, spike.LowerBound, 2);
        Assert.True(spike.RawScore > 0.35);
    }

    [Fact]
    public void Big_spike_is_found_at_index_26_and_nowhere_else()
    {
        var values = MlNetTimeSeriesData.Load("big_spike_data.csv");
        var points = new SpectralResidual(new SpectralResidualOptions { Threshold = 0.3, Sensitivity = 80 }).Detect(values);

        Assert.Equal([26], AnomalyIndices(points));
        Assert.True(values[26] > points[26].UpperBound);
    }

    [Fact]
    public void Anomaly_on_the_second_point_is_found_and_every_other_value_is_inside_its_band()
    {
        var values = MlNetTimeSeriesData.Load("anomaly_at_beginning.csv");
        var points = new SpectralResidual(new SpectralResidualOptions { Threshold = 0.3, Sensitivity = 80 }).Detect(values);

        Assert.Equal([1], AnomalyIndices(points));
        AssertEveryOrdinaryValueInsideItsBand(values, points);
    }

    [Theory]
    [InlineData(SrDeseasonalityMode.Median)]
    [InlineData(SrDeseasonalityMode.Mean)]
    public void Daily_cycle_without_anomaly_raises_nothing_and_every_value_is_inside_its_band(SrDeseasonalityMode mode)
    {
        var values = MlNetTimeSeriesData.Load("period_no_anomaly.csv");
        var options = new SpectralResidualOptions { Threshold = 0.3, Sensitivity = 64, Period = 288, Deseasonality = mode };
        var points = new SpectralResidual(options).Detect(values);

        Assert.Empty(AnomalyIndices(points));
        AssertEveryOrdinaryValueInsideItsBand(values, points);
    }

    [Theory]
    [InlineData(SrDeseasonalityMode.Median)]
    [InlineData(SrDeseasonalityMode.Mean)]
    public void Daily_cycle_with_a_broken_stretch_flags_exactly_indices_2988_to_3095(SrDeseasonalityMode mode)
    {
        var values = MlNetTimeSeriesData.Load("period_anomaly.csv");
        var options = new SpectralResidualOptions { Threshold = 0.23, Sensitivity = 63, Period = 288, Deseasonality = mode };
        var points = new SpectralResidual(options).Detect(values);

        Assert.Equal(Enumerable.Range(2988, 3095 - 2988 + 1).ToArray(), AnomalyIndices(points));
        AssertEveryOrdinaryValueInsideItsBand(values, points);
    }

    [Fact]
    public void Non_negative_series_gets_no_negative_expected_value_or_lower_bound()
    {
        var values = MlNetTimeSeriesData.Load("non_negative_case.csv");
        Assert.All(values, v => Assert.True(v >= 0));

        var points = new SpectralResidual(new SpectralResidualOptions { Threshold = 0.10, Sensitivity = 99 }).Detect(values);

        Assert.All(points, p => Assert.True(p.ExpectedValue >= 0 && p.LowerBound >= 0, $"expected {p.ExpectedValue}, lower {p.LowerBound}"));

        // The clip is doing work: around the run of zeros the band would otherwise reach below zero.
        Assert.Contains(points, p => p.LowerBound == 0 && p.UpperBound > 0);
    }

    [Fact]
    public void Non_positive_series_gets_no_positive_expected_value_or_upper_bound()
    {
        var values = MlNetTimeSeriesData.Load("non_negative_case.csv").Select(v => -v).ToArray();

        var points = new SpectralResidual(new SpectralResidualOptions { Threshold = 0.10, Sensitivity = 99 }).Detect(values);

        Assert.All(points, p => Assert.True(p.ExpectedValue <= 0 && p.UpperBound <= 0, $"expected {p.ExpectedValue}, upper {p.UpperBound}"));
    }

    [Fact]
    public void Fewer_than_twelve_points_or_fewer_than_four_periods_are_refused()
    {
        var detector = new SpectralResidual();
        Assert.Throws<ArgumentException>(() => detector.Detect(new double[11]));

        var periodic = new SpectralResidual(new SpectralResidualOptions { Period = 10 });
        Assert.Throws<ArgumentException>(() => periodic.Detect(new double[39]));
    }

    [Fact]
    public void Settings_outside_the_ranges_ml_net_accepts_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpectralResidual(new SpectralResidualOptions { Threshold = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpectralResidual(new SpectralResidualOptions { Sensitivity = 101 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpectralResidual(new SpectralResidualOptions { Period = -1 }));
    }
}
