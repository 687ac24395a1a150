using SalesDash.Engine.Anomalies;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>The product detector's likelihood and its Poisson floor, on streams whose right answer is known.</summary>
public sealed class KpiAnomalyLikelihoodTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    private static readonly KpiAnomalyOptions Daily = new()
    {
        WindowSize = 64,
        Season = TimeSpan.FromDays(1),
        Seasons = 3,
        MinimumSeasons = 2,
        LikelihoodHistory = 1440,
        LikelihoodLearning = 1440,
        LikelihoodSuppression = 60,
    };

    [Fact]
    public void A_slump_is_one_likely_anomaly_after_days_of_ordinary_noise_and_nothing_is_judged_while_learning()
    {
        var detector = new KpiAnomalyDetector(Daily);
        var random = new Random(4);
        var verdicts = new List<AnomalyVerdict>();
        var slumpFrom = (4 * 1440) + (14 * 60);
        for (var i = 0; i < slumpFrom + 120; i++)
        {
            var at = Start.AddMinutes(i);
            var usual = 1000 + (400 * Math.Sin(2 * Math.PI * i / 1440));
            var value = usual * (1 + (0.03 * Gaussian(random))) * (i >= slumpFrom ? 0.4 : 1);
            verdicts.Add(detector.Observe(at, value));
        }

        // Learning: the raw phase's first day says nothing.
        Assert.All(verdicts.Take(1440), v => Assert.Equal(0, v.Likelihood));

        // Ordinary days after learning: hardly anything reaches the likelihood threshold.
        var ordinary = verdicts.Skip(3 * 1440).Take(slumpFrom - (3 * 1440));
        Assert.True(ordinary.Count(v => v.IsAnomaly) <= 2, $"{ordinary.Count(v => v.IsAnomaly)} anomalies on ordinary minutes");

        // The slump: likely within minutes, then quiet for the suppression hour so it is one detection (the likelihood
        // itself may still report the slump's new lows: the detector's quiet time keeps them from being anomalies).
        var slump = verdicts.Skip(slumpFrom).Take(61).ToList();
        var first = slump.FindIndex(v => v.Likelihood >= 0.5);
        Assert.InRange(first, 0, 5);
        Assert.True(slump[first].IsAnomaly && slump[first].Value < slump[first].Lower);
        Assert.All(slump.Skip(first + 1).Take(Daily.LikelihoodSuppression), v => Assert.False(v.IsAnomaly));
    }

    [Fact]
    public void One_order_where_four_were_expected_is_bad_luck_once_the_band_knows_orders_arrive_at_random()
    {
        // Three steady nights of exactly four orders per window, then one.
        AnomalyVerdict Last(double eventSize)
        {
            var detector = new KpiAnomalyDetector(Daily with { MinimumSpread = 0 });
            AnomalyVerdict verdict = null!;
            for (var i = 0; i <= 3 * 1440; i++)
            {
                verdict = detector.Observe(Start.AddMinutes(i), i == 3 * 1440 ? 1 : 4, eventSize);
            }

            return verdict;
        }

        var steady = Last(eventSize: 0);
        var poisson = Last(eventSize: 1);

        // Without the floor the band is 4 ± 5% x 4 sigma; with it, 4 ± 4 x sqrt(4 x 1) = 0 to 12.
        Assert.True(steady.Value < steady.Lower, $"band {steady.Lower}..{steady.Upper}");
        Assert.Equal((0, 12), (poisson.Lower, poisson.Upper));
        Assert.False(poisson.IsAnomaly);
    }

    [Fact]
    public void A_value_beyond_everything_seen_once_learnt_is_likely_at_once()
    {
        // Ordinary minutes around 100 (about 85..115 seen), then 120: a modest surprise for one point, but a value the
        // stream has never come near. During learning the same value is only learnt.
        double Likelihood(double tolerance, int at)
        {
            var detector = new KpiAnomalyDetector(Daily with { RangeTolerance = tolerance });
            var random = new Random(9);
            for (var i = 0; i < at; i++)
            {
                detector.Observe(Start.AddMinutes(i), Math.Clamp(100 + (5 * Gaussian(random)), 85, 115));
            }

            return detector.Observe(Start.AddMinutes(at), 120).Likelihood!.Value;
        }

        Assert.Equal(1, Likelihood(tolerance: 0.05, at: 1600));
        Assert.True(Likelihood(tolerance: 0, at: 1600) < 0.5);
        Assert.Equal(0, Likelihood(tolerance: 0.05, at: 600));
    }

    [Fact]
    public void The_likelihood_does_not_depend_on_the_spectral_window()
    {
        // The benchmark runs its grid of settings with the shortest window to save time: that must not change a figure.
        var wide = new KpiAnomalyDetector(Daily with { WindowSize = 256 });
        var narrow = new KpiAnomalyDetector(Daily with { WindowSize = StreamingSrDetector.MinimumWindowSize });
        var random = new Random(21);
        for (var i = 0; i < 4 * 1440; i++)
        {
            var value = (1000 + (400 * Math.Sin(2 * Math.PI * i / 1440))) * (1 + (0.05 * Gaussian(random))) * (i % 2000 < 30 ? 0.3 : 1);
            var at = Start.AddMinutes(i);
            Assert.Equal(wide.Observe(at, value).Likelihood, narrow.Observe(at, value).Likelihood);
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
