using SalesDash.Engine.Anomalies;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>Scores judged against the stream's own recent scores: per-stream thresholds and one detection per burst.</summary>
public sealed class AnomalyLikelihoodTests
{
    [Fact]
    public void The_normal_tail_matches_the_table()
    {
        Assert.Equal(0.5, AnomalyLikelihood.UpperTail(0), 6);
        Assert.Equal(0.1586553, AnomalyLikelihood.UpperTail(1), 6);
        Assert.Equal(0.0013499, AnomalyLikelihood.UpperTail(3), 6);
        Assert.Equal(0.8413447, AnomalyLikelihood.UpperTail(-1), 6);
    }

    [Fact]
    public void A_noisy_stream_and_a_quiet_one_each_flag_only_their_own_outlier()
    {
        // Same outlier height relative to each stream's own scatter; raw levels an order of magnitude apart.
        foreach (var (level, scatter) in new[] { (0.4, 0.1), (0.02, 0.01) })
        {
            var random = new Random(3);
            var likelihood = new AnomalyLikelihood(historySteps: 500, averageSteps: 1, learningSteps: 200);
            var scores = new List<double>();
            for (var i = 0; i < 800; i++)
            {
                var raw = i == 700 ? level + (12 * scatter) : Math.Max(0, level + (scatter * Gaussian(random)));
                scores.Add(likelihood.Update(raw));
            }

            Assert.All(scores.Take(200), s => Assert.Equal(0, s));
            Assert.True(scores[700] >= 0.5, $"outlier scored {scores[700]:F3} at level {level}");
            Assert.True(scores.Where((_, i) => i != 700).Count(s => s >= 0.5) <= 1, $"ordinary points over 0.5 at level {level}");
        }
    }

    [Fact]
    public void After_a_detection_the_next_points_are_silenced_so_one_burst_is_one_detection()
    {
        var likelihood = new AnomalyLikelihood(historySteps: 300, averageSteps: 1, learningSteps: 100, suppressAbove: 0.5, suppressSteps: 20);
        var random = new Random(5);
        var scores = new List<double>();
        for (var i = 0; i < 400; i++)
        {
            scores.Add(likelihood.Update(i is >= 300 and < 330 ? 0.9 : Math.Max(0, 0.1 + (0.02 * Gaussian(random)))));
        }

        var first = scores.FindIndex(s => s >= 0.5);
        Assert.Equal(300, first);
        Assert.All(scores.Skip(301).Take(20), s => Assert.Equal(0, s));
    }

    [Fact]
    public void Certain_evidence_is_reported_even_in_a_silence_and_starts_none()
    {
        // A new extreme inside a slump is still news, and a silence it started would hide the next real change: both
        // cost out-of-sample NAB score when certain evidence silenced the likelihood (bench/README.md).
        var likelihood = new AnomalyLikelihood(historySteps: 300, averageSteps: 1, learningSteps: 100, suppressAbove: 0.5, suppressSteps: 20);
        var random = new Random(5);
        var scores = new List<double>();
        for (var i = 0; i < 400; i++)
        {
            var raw = i is 300 or 340 ? 0.9 : Math.Max(0, 0.1 + (0.02 * Gaussian(random)));
            scores.Add(likelihood.Update(raw, certain: i is 50 or 310 or 330));
        }

        Assert.Equal(0, scores[50]);
        Assert.True(scores[300] >= 0.5, $"burst scored {scores[300]:F3}");
        Assert.Equal(1, scores[310]);
        Assert.All(scores.Skip(311).Take(10), s => Assert.Equal(0, s));
        Assert.Equal(1, scores[330]);
        Assert.True(scores[340] >= 0.5, $"the burst after the certain point scored {scores[340]:F3}");
    }

    [Fact]
    public void Settings_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyLikelihood(historySteps: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyLikelihood(suppressAbove: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyLikelihood().Update(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyLikelihood(historySteps: 100, blockSteps: 101));
    }

    [Theory]
    [InlineData(1440, 0, 15)]
    [InlineData(500, 1, 1)]
    [InlineData(1000, 60, 60)]
    public void The_blocks_judge_as_the_exact_window_of_the_same_scores_does(int history, int blockSteps, int expectedBlock)
    {
        // The oracle holds every average and sums the window the blocks stand for (the current block so far and the
        // whole blocks before it), two-pass; only the summation order differs, so the likelihoods agree to rounding.
        var random = new Random(17);
        var likelihood = new AnomalyLikelihood(history, averageSteps: 3, learningSteps: 100, blockSteps: blockSteps);
        Assert.Equal(expectedBlock, likelihood.BlockSteps);
        const long firstStep = 29_000_007;
        likelihood.AlignBlocks(firstStep);
        var block = likelihood.BlockSteps;
        var averages = new List<double>();
        var recent = new Queue<double>();
        var compared = 0;
        for (var i = 0; i < 4 * history; i++)
        {
            // Mostly calm with bursts and long runs of one value (a quiet stream's zeros), so tails of all sizes occur.
            var raw = i % 700 < 20 ? 0.8 + (0.1 * random.NextDouble()) : (i % 300 < 150 ? 0 : 0.1 * random.NextDouble());
            var got = likelihood.Update(raw);
            recent.Enqueue(raw);
            if (recent.Count > 3)
            {
                recent.Dequeue();
            }

            var average = recent.Average();
            var current = (firstStep + i) / block;
            var window = averages.Where((_, j) => (firstStep + j) / block >= current - (history / block)).ToArray();
            if (i >= 100 && window.Length > 1)
            {
                var mean = window.Sum() / window.Length;
                var variance = window.Sum(a => (a - mean) * (a - mean)) / window.Length;
                var tail = AnomalyLikelihood.UpperTail((average - mean) / Math.Sqrt(Math.Max(variance, 0.0003)));
                var expected = Math.Clamp(Math.Log(1.0000000001 - (1 - tail)) / -23.02585084720009, 0, 1);
                Assert.True(Math.Abs(expected - got) <= 1e-9, $"step {i}: blocks {got:R}, exact window {expected:R}");
                compared++;
            }

            averages.Add(average);
        }

        Assert.True(compared > 3 * history, $"compared {compared}");
    }

    [Fact]
    public void Two_likelihoods_fed_the_same_steps_from_different_starts_agree_to_the_bit_once_the_older_start_has_left()
    {
        // A monitor's rebuild starts its detectors days after the live ones did: on the clock's blocks they hold the
        // same blocks a history later, so they judge alike, bit for bit.
        var random = new Random(5);
        var scores = Enumerable.Range(0, 5000).Select(i => i % 400 < 30 ? 0.9 * random.NextDouble() : 0.05 * random.NextDouble()).ToArray();
        const long firstStep = 1_000_003;
        var live = new AnomalyLikelihood(historySteps: 1440, averageSteps: 10, learningSteps: 1440, suppressSteps: 60);
        live.AlignBlocks(firstStep);
        var rebuilt = new AnomalyLikelihood(historySteps: 1440, averageSteps: 10, learningSteps: 1440, suppressSteps: 60);
        const int rebuiltFrom = 1_237;
        rebuilt.AlignBlocks(firstStep + rebuiltFrom);
        var unaligned = new AnomalyLikelihood(historySteps: 1440, averageSteps: 10, learningSteps: 1440, suppressSteps: 60);
        var differed = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var expected = live.Update(scores[i]);
            if (i < rebuiltFrom)
            {
                continue;
            }

            var got = rebuilt.Update(scores[i]);
            var other = unaligned.Update(scores[i]);
            if (i >= rebuiltFrom + 1440 + 15 + 60)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(got));
                differed += BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(other) ? 0 : 1;
            }
        }

        // Blocks on another phase hold other windows: what the alignment is for.
        Assert.True(differed > 0);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
