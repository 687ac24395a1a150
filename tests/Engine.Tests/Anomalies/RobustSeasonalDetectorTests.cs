using SalesDash.Engine.Anomalies;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>Robust seasonal decomposition: the daily swing is removed, residuals are judged by medians that outliers cannot move.</summary>
public sealed class RobustSeasonalDetectorTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(5);
    private const int PerDay = 288;

    [Fact]
    public void The_daily_swing_is_ordinary_once_two_days_are_known_and_the_same_rise_off_season_is_not()
    {
        var detector = new RobustSeasonalDetector(new RobustSeasonalOptions { Step = Step });
        var random = new Random(3);
        var i = 0;
        var ordinary = new List<double>();
        for (; i < 5 * PerDay; i++)
        {
            detector.Observe(At(i), Daily(i) + Gaussian(random));
            if (i >= 3 * PerDay)
            {
                ordinary.Add(detector.Evidence);
            }
        }

        // The day's steepest hours move 100 units in a few hours; none of it counts once the season is removed.
        Assert.True(ordinary.Max() < 6, $"ordinary maximum {ordinary.Max():F1}");

        // At the night's trough, a rise as big as a tenth of the daily swing is about ten noise deviations.
        var trough = (5 * PerDay) + (PerDay * 3 / 4);
        for (; i < trough; i++)
        {
            detector.Observe(At(i), Daily(i) + Gaussian(random));
        }

        detector.Observe(At(i), Daily(i) + 10);
        Assert.True(detector.Evidence > 6, $"off-season rise scored {detector.Evidence:F1}");
    }

    [Fact]
    public void Earlier_outliers_do_not_hide_the_next_one()
    {
        var detector = new RobustSeasonalDetector(new RobustSeasonalOptions { Step = Step });
        var random = new Random(11);
        for (var i = 0; i < 3000; i++)
        {
            // One point in 25 is a spike of 30 deviations: a mean deviation would grow with them, a median does not.
            var spike = i % 25 == 0 ? 30 : 0;
            detector.Observe(At(i), 50 + Gaussian(random) + spike);
        }

        detector.Observe(At(3000), 80);
        Assert.True(detector.Evidence > 15, $"the 121st spike scored {detector.Evidence:F1}");
    }

    [Fact]
    public void A_lasting_level_shift_is_surprising_then_becomes_the_trend()
    {
        var detector = new RobustSeasonalDetector(new RobustSeasonalOptions { Step = Step, TrendWindow = 60 });
        var random = new Random(5);
        for (var i = 0; i < 1500; i++)
        {
            detector.Observe(At(i), 10 + (0.5 * Gaussian(random)));
        }

        detector.Observe(At(1500), 20);
        var atShift = detector.Evidence;
        var later = new List<double>();
        for (var i = 1501; i < 1700; i++)
        {
            detector.Observe(At(i), 20 + (0.5 * Gaussian(random)));
            if (i >= 1600)
            {
                later.Add(detector.Evidence);
            }
        }

        Assert.True(atShift > 10, $"shift scored {atShift:F1}");
        Assert.True(later.Max() < 6, $"after the trend window the new level scored up to {later.Max():F1}");
    }

    [Fact]
    public void The_likelihood_is_silent_while_learning_then_reports_a_clear_anomaly_within_its_scale()
    {
        var detector = new RobustSeasonalDetector(new RobustSeasonalOptions { Step = Step, LikelihoodLearning = 400 });
        var random = new Random(23);
        var likelihoods = new List<double>();
        for (var i = 0; i < 2000; i++)
        {
            likelihoods.Add(detector.Observe(At(i), 100 + (3 * Gaussian(random))));
        }

        Assert.All(likelihoods.Take(400), l => Assert.Equal(0, l));
        Assert.All(likelihoods, l => Assert.InRange(l, 0, 1));

        // A slump of a whole run: the averaged evidence leaves the stream's ordinary range.
        var slump = 0.0;
        for (var i = 2000; i < 2020; i++)
        {
            slump = Math.Max(slump, detector.Observe(At(i), 40));
        }

        Assert.True(slump >= 0.5, $"slump likelihood {slump:F3}; ordinary maximum {likelihoods.Skip(400).Max():F3}");
        Assert.True(likelihoods.Skip(400).Max() < 0.5, $"ordinary maximum {likelihoods.Skip(400).Max():F3}");
    }

    [Fact]
    public void A_flat_stream_scores_nothing_and_a_move_off_it_is_a_clear_move()
    {
        var detector = new RobustSeasonalDetector(new RobustSeasonalOptions { Step = Step });
        for (var i = 0; i < 500; i++)
        {
            detector.Observe(At(i), 7);
            Assert.Equal(0, detector.Evidence);
        }

        detector.Observe(At(500), 8);
        Assert.Equal(MultiScaleEvidence.FlatMove, detector.Evidence);
    }

    [Fact]
    public void Bad_settings_and_values_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RobustSeasonalDetector(new RobustSeasonalOptions { TrendWindow = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RobustSeasonalDetector(new RobustSeasonalOptions { EvidenceScales = [] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RobustSeasonalDetector(new RobustSeasonalOptions { MinimumSeasons = 8 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RobustSeasonalDetector(new RobustSeasonalOptions { MinimumResiduals = 2000 }));
        var detector = new RobustSeasonalDetector();
        Assert.Throws<ArgumentOutOfRangeException>(() => detector.Observe(Start, double.NaN));
    }

    [Theory]
    [InlineData(7, 300, 5)]
    [InlineData(8, 300, 5)]
    [InlineData(1000, 3000, 5)]
    [InlineData(1000, 3000, 400)]
    [InlineData(1500, 4000, 0)]
    public void The_running_median_is_the_median_of_the_last_values(int capacity, int count, int distinct)
    {
        // Odd and even windows; few distinct values (the paletted window), more than a palette holds (it moves to plain
        // doubles part-way) and all distinct; and a window past the stack limit, whose median is selected in a rented array.
        var window = new MedianWindow(capacity);
        var random = new Random(2);
        var values = new List<double>();
        for (var i = 0; i < count; i++)
        {
            // Repeated values too: the selection must cope with ties.
            var v = distinct > 0 ? Math.Round(random.NextDouble() * distinct) : random.NextDouble();
            if (i == count / 2)
            {
                // A restart forgets everything before it.
                window.Clear();
                values.Clear();
            }

            window.Add(v);
            values.Add(v);
            var last = values.TakeLast(capacity).Order().ToList();
            var n = last.Count;
            var expected = n % 2 == 1 ? last[n / 2] : (last[(n / 2) - 1] + last[n / 2]) / 2;
            Assert.Equal(n, window.Count);
            Assert.Equal(expected, window.Median());
        }

        Assert.Equal(distinct is > 0 and < 255, window.IsPaletted);
    }

    private static DateTimeOffset At(int i) => Start + (i * Step);

    // A daily swing of ±50 around 100.
    private static double Daily(int i) => 100 + (50 * Math.Sin(2 * Math.PI * i / PerDay));

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
