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
            var alone = (Kpi: kpi.Observe(at, value).Likelihood, Robust: robust.Observe(at, value));
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
    public void A_value_that_is_not_finite_is_refused()
    {
        var ensemble = new LikelihoodEnsemble();
        Assert.Throws<ArgumentOutOfRangeException>(() => ensemble.Observe(Start, double.PositiveInfinity));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
