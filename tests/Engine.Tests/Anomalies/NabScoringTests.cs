using SalesDash.Engine.Anomalies.Nab;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>NAB's scoring on a file small enough to score by hand.</summary>
public sealed class NabScoringTests
{
    private static readonly DateTime T0 = new(2014, 4, 1, 0, 0, 0);

    // 20 one-minute rows; one window over rows 8..11 (width 4); probation = floor(0.15 × 20) = 3 rows.
    private static readonly DateTime[] Timestamps = Enumerable.Range(0, 20).Select(i => T0.AddMinutes(i)).ToArray();
    private static readonly NabWindow[] Windows = [new(T0.AddMinutes(8), T0.AddMinutes(11))];

    // Detector: 0.7 at row 1 (probation, ignored), 0.9 at row 10 (in the window), 0.8 at row 15 (after it).
    private static readonly double[] Scores = Enumerable.Range(0, 20)
        .Select(i => i switch { 1 => 0.7, 10 => 0.9, 15 => 0.8, _ => 0.0 })
        .ToArray();

    // 2·sigmoid(−5x) − 1, written out independently of the scorer.
    private static double S(double x) => (2 / (1 + Math.Exp(5 * x))) - 1;

    [Fact]
    public void Scaled_sigmoid_has_nab_documented_values()
    {
        Assert.Equal(0.98661, NabSweeper.ScaledSigmoid(-1.0), 5);
        Assert.Equal(0.84828, NabSweeper.ScaledSigmoid(-0.5), 5);
        Assert.Equal(0.0, NabSweeper.ScaledSigmoid(0.0), 10);
        Assert.Equal(-0.98661, NabSweeper.ScaledSigmoid(1.0), 5);
        Assert.Equal(-1.0, NabSweeper.ScaledSigmoid(3.5));
    }

    [Fact]
    public void Hand_scored_file_at_threshold_half_counts_one_early_detection_and_one_false_positive()
    {
        var sweeper = new NabSweeper(NabCostMatrix.Standard);
        var file = new NabScoredFile("tiny/file.csv", Timestamps, Scores, Windows);

        var result = sweeper.Score(file, threshold: 0.5);

        // TP at row 10: position −(11 − 10 + 1)/4 = −0.5, scaled by the best possible S(−1): 0.84828 / 0.98661.
        var truePositive = S(-0.5) / S(-1.0);

        // FP at row 15: 4 rows after the window's right edge, over width − 1 = 3: S(4/3) × 0.11.
        var falsePositive = S(4.0 / 3.0) * 0.11;
        Assert.Equal(0.859793, truePositive, 6);
        Assert.Equal(-0.109720, falsePositive, 6);
        Assert.Equal(truePositive + falsePositive, result.Score, 12);
        Assert.Equal((1, 1), (result.TruePositives, result.FalsePositives));

        // 17 scored rows (20 less 3 probationary); 4 in the window.
        Assert.Equal((3, 12, 17), (result.FalseNegatives, result.TrueNegatives, result.Total));
    }

    [Fact]
    public void Later_detections_in_a_window_add_nothing_and_a_missed_window_costs_the_fn_weight()
    {
        var sweeper = new NabSweeper(NabCostMatrix.Standard);
        var everyWindowRow = Enumerable.Range(0, 20).Select(i => i is >= 9 and <= 11 ? 0.9 : 0.0).ToArray();

        var hit = sweeper.Score(new NabScoredFile("tiny/file.csv", Timestamps, everyWindowRow, Windows), 0.5);
        var missed = sweeper.Score(new NabScoredFile("tiny/file.csv", Timestamps, new double[20], Windows), 0.5);

        // Rows 9, 10, 11 detected: only the first, at position −3/4, counts.
        Assert.Equal(S(-0.75) / S(-1.0), hit.Score, 12);
        Assert.Equal(3, hit.TruePositives);
        Assert.Equal(-1.0, missed.Score, 12);
    }

    [Fact]
    public void Threshold_optimisation_and_normalisation_against_the_null_detector_follow_nab()
    {
        var sweeper = new NabSweeper(NabCostMatrix.Standard);
        var file = new NabScoredFile("tiny/file.csv", Timestamps, Scores, Windows);

        var best = sweeper.Optimize([file]);

        // Candidates: 1.1 → −1 (window missed); 0.9 → TP only; 0.8 → TP + FP; 0.0 → every row.
        Assert.Equal(0.9, best.Threshold);
        Assert.Equal(S(-0.5) / S(-1.0), best.Score, 12);

        // The null detector (0.5 everywhere) either detects nothing (−1) or every scored row: the window at its
        // left edge (+1), rows 3..7 before any window (−0.11 each) and rows 12..19 at S((i − 11)/3) × 0.11.
        var everything = 1.0 - (5 * 0.11) + Enumerable.Range(12, 8).Sum(i => S((i - 11) / 3.0) * 0.11);
        Assert.Equal(-0.385654, everything, 6);
        var nullFile = NabScoredFile.NullDetector("tiny/file.csv", Timestamps, Windows);
        var nullBest = sweeper.Optimize([nullFile]);
        Assert.Equal(0.5, nullBest.Threshold);
        Assert.Equal(everything, sweeper.Score(nullFile, nullBest.Threshold).Score, 12);

        // 100 × (score − null) / (perfect − null), perfect = 1 window × TP weight 1.
        var normalised = NabNormalizer.Normalize(best.Score, everything, windowCount: 1, NabCostMatrix.Standard);
        Assert.Equal(100 * (best.Score - everything) / (1 - everything), normalised, 10);
        Assert.Equal(89.88, normalised, 2);
    }

    [Fact]
    public void Probationary_period_is_fifteen_percent_capped_at_750_rows()
    {
        var sweeper = new NabSweeper(NabCostMatrix.Standard);
        Assert.Equal(3, sweeper.ProbationaryLength(20));
        Assert.Equal(604, sweeper.ProbationaryLength(4032));
        Assert.Equal(750, sweeper.ProbationaryLength(22695), 9);
    }
}
