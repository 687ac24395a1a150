using SalesDash.Engine.Anomalies;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>The ensemble reports, per point, the larger of the product likelihood and the robust decomposition's.</summary>
public sealed class LikelihoodEnsembleTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(5);

    [Fact]
    public void Each_point_scores_the_larger_of_the_two_likelihoods_run_alone()
    {
        var kpiOptions = new KpiAnomalyOptions { Step = Step, Season = TimeSpan.FromDays(1), Seasons = 7, SlotRadius = 1, WindowSize = StreamingSrDetector.MinimumWindowSize };
        var robustOptions = new RobustSeasonalOptions { Step = Step };
        var ensemble = new LikelihoodEnsemble(kpiOptions, robustOptions);
        var kpi = new KpiAnomalyDetector(kpiOptions);
        var robust = new RobustSeasonalDetector(robustOptions);
        var random = new Random(31);
        int kpiLarger = 0, robustLarger = 0;
        for (var i = 0; i < 4000; i++)
        {
            // A daily swing with noise, one spike in 40 points, a slump and a level shift: each detector leads somewhere.
            var value = 100 + (30 * Math.Sin(2 * Math.PI * i / 288)) + (2 * Gaussian(random))
                + (i % 40 == 0 ? 25 : 0) + (i is >= 2500 and < 2530 ? -40 : 0) + (i >= 3300 ? 15 : 0);
            var at = Start + (i * Step);
            var score = ensemble.Observe(at, value);
            var alone = (Kpi: kpi.Observe(at, value).Likelihood!.Value, Robust: robust.Observe(at, value));
            Assert.Equal(alone.Kpi, score.KpiLikelihood);
            Assert.Equal(alone.Robust, score.RobustLikelihood);
            Assert.Equal(Math.Max(alone.Kpi, alone.Robust), score.Likelihood);
            kpiLarger += alone.Kpi > alone.Robust ? 1 : 0;
            robustLarger += alone.Robust > alone.Kpi ? 1 : 0;
        }

        // Neither is always the larger, so a "max" that read only one of them would fail above.
        Assert.True(kpiLarger > 0 && robustLarger > 0, $"kpi larger {kpiLarger}, robust larger {robustLarger}");
    }

    [Fact]
    public void Sharing_one_seasonal_ring_changes_no_estimate_of_either_detector()
    {
        // Different seasons and radii on each side, so the shared ring is larger than either's own, and gaps in the
        // stream (skipped minutes clear slots) and repeated values (the ring is paletted until it overflows).
        var kpiOptions = new KpiAnomalyOptions { Season = TimeSpan.FromDays(1), Seasons = 3, SlotRadius = 2, WindowSize = StreamingSrDetector.MinimumWindowSize, LikelihoodHistory = 1440, LikelihoodLearning = 1440 };
        var robustOptions = new RobustSeasonalOptions { Seasons = 5, SlotRadius = 1, LikelihoodHistory = 1440, LikelihoodLearning = 1440 };
        var shared = new KpiAnomalyDetector(kpiOptions with { Robust = robustOptions });
        var kpi = new KpiAnomalyDetector(kpiOptions);
        var robust = new RobustSeasonalDetector(robustOptions);
        var random = new Random(5);
        var minute = 0;
        var robustSpoke = 0;
        for (var i = 0; i < 9 * 1440; i++)
        {
            minute += random.Next(50) == 0 ? 1 + random.Next(90) : 1;
            var at = Start + TimeSpan.FromMinutes(minute);
            var value = Math.Round(Math.Max(0, 20 + (15 * Math.Sin(2 * Math.PI * minute / 1440)) + (3 * Gaussian(random)) + (i is >= 8000 and < 8060 ? -12 : 0)));
            shared.Observe(at, value, 1);
            var own = kpi.Observe(at, value, 1).Likelihood!.Value;
            var alone = robust.Observe(at, value);
            Assert.Equal(BitConverter.DoubleToInt64Bits(own), BitConverter.DoubleToInt64Bits(shared.LastScore.KpiLikelihood));
            Assert.Equal(BitConverter.DoubleToInt64Bits(alone), BitConverter.DoubleToInt64Bits(shared.LastScore.RobustLikelihood));
            Assert.Equal(BitConverter.DoubleToInt64Bits(Math.Max(own, alone)), BitConverter.DoubleToInt64Bits(shared.LastScore.Likelihood));
            robustSpoke += alone > 0 ? 1 : 0;
        }

        // The robust half was judging (past its learning), not reporting zeros a lost ring would also give.
        Assert.True(robustSpoke > 1000, $"robust likelihood above 0 on {robustSpoke} points");
    }

    [Fact]
    public void A_copy_of_an_ensemble_goes_on_alone_and_leaves_the_original_as_it_was()
    {
        var options = MinuteMonitor.DefaultOptions;
        var original = new KpiAnomalyDetector(options);
        var twin = new KpiAnomalyDetector(options);
        var random = new Random(9);
        double Value(int n) => Math.Round(Math.Max(0, 10 + (8 * Math.Sin(2 * Math.PI * n / 1440)) + (2 * Gaussian(random))));
        DateTimeOffset At(int n) => Start + TimeSpan.FromMinutes(n);
        var i = 0;
        for (; i < 4 * 1440; i++)
        {
            var v = Value(i);
            original.Observe(At(i), v, 1);
            twin.Observe(At(i), v, 1);
        }

        var copy = original.Clone();
        for (; i < 5 * 1440; i++)
        {
            var v = Value(i);
            var expected = twin.Observe(At(i), v, 1);
            Assert.Equal(expected, original.Observe(At(i), v, 1));
            Assert.Equal(twin.LastScore, original.LastScore);

            // The copy is fed a different stream: were its robust half still reading the original's ring, the original's
            // seasons (and so both likelihoods) would move away from the twin's.
            copy.Observe(At(i), v * 3, 1);
        }

        Assert.NotEqual(twin.LastScore, copy.LastScore);
    }

    [Fact]
    public void A_value_that_is_not_finite_is_refused()
    {
        var ensemble = new LikelihoodEnsemble();
        Assert.Throws<ArgumentOutOfRangeException>(() => ensemble.Observe(Start, double.PositiveInfinity));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
