using SalesDash.Engine.Anomalies;

namespace SalesDash.Engine.Tests.Anomalies;

public sealed class StreamingSrDetectorTests
{
    private static int[] StreamAnomalies(double[] values, StreamingSrDetector detector, out SpectralResidualPoint?[] verdicts)
    {
        verdicts = values.Select(detector.Push).ToArray();
        var seen = verdicts;
        return Enumerable.Range(0, values.Length).Where(i => seen[i] is { IsAnomaly: true }).ToArray();
    }

    [Fact]
    public void Spike_is_flagged_the_moment_it_arrives_with_the_flat_level_as_expected_value()
    {
        var values = MlNetTimeSeriesData.Load("anomaly_detection.csv");
        var detector = new StreamingSrDetector(64, new SpectralResidualOptions { Threshold = 0.35, Sensitivity = 98 });

        var anomalies = StreamAnomalies(values, detector, out var verdicts);

        // Index 20 is the newest point when it is scored: only the extrapolated tail lies after it.
        Assert.Equal([20], anomalies);
        Assert.Equal(5.00, verdicts[20]!.Value.ExpectedValue, 2);
        Assert.True(values[20] > verdicts[20]!.Value.UpperBound);
    }

    [Fact]
    public void Big_spike_is_the_only_alert_of_the_stream()
    {
        var values = MlNetTimeSeriesData.Load("big_spike_data.csv");
        var detector = new StreamingSrDetector(256, new SpectralResidualOptions { Threshold = 0.3, Sensitivity = 80 });

        Assert.Equal([26], StreamAnomalies(values, detector, out _));
    }

    [Fact]
    public void Nothing_is_scored_before_twelve_points_and_the_window_slides_after_it_is_full()
    {
        var detector = new StreamingSrDetector(16);
        for (var i = 0; i < SpectralResidual.MinimumPoints - 1; i++)
        {
            Assert.Null(detector.Push(10 + (i % 3)));
            Assert.False(detector.IsWarm);
        }

        Assert.NotNull(detector.Push(11));
        Assert.True(detector.IsWarm);

        // Forty points later the window holds only the new level: a steady 500 is ordinary there.
        SpectralResidualPoint? last = null;
        for (var i = 0; i < 40; i++)
        {
            last = detector.Push(500 + (i % 3));
        }

        Assert.False(last!.Value.IsAnomaly);
        Assert.InRange(last.Value.ExpectedValue, 490, 510);
        Assert.Equal(52, detector.Count);
    }

    [Fact]
    public void A_period_or_a_window_outside_16_to_1440_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new StreamingSrDetector(256, new SpectralResidualOptions { Period = 24 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingSrDetector(8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingSrDetector(2000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingSrDetector(64).Push(double.NaN));
    }
}
