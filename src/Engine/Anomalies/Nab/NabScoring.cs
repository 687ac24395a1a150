namespace SalesDash.Engine.Anomalies.Nab;

/// <summary>Weights of one NAB application profile (config/profiles.json).</summary>
public sealed record NabCostMatrix(double TpWeight, double FpWeight, double FnWeight)
{
    /// <summary>NAB's "standard" profile.</summary>
    public static NabCostMatrix Standard { get; } = new(1.0, 0.11, 1.0);

    /// <summary>NAB's "reward_low_FP_rate" profile.</summary>
    public static NabCostMatrix RewardLowFpRate { get; } = new(1.0, 0.22, 1.0);

    /// <summary>NAB's "reward_low_FN_rate" profile.</summary>
    public static NabCostMatrix RewardLowFnRate { get; } = new(1.0, 0.11, 2.0);
}

/// <summary>One labelled anomaly window; both ends are timestamps of rows of the data file.</summary>
public sealed record NabWindow(DateTime Start, DateTime End);

/// <summary>A detector's anomaly score (0..1) for every row of one NAB data file, with the file's windows.</summary>
/// <param name="Name">The file's path relative to NAB's data folder, e.g. "realKnownCause/nyc_taxi.csv"; names the windows.</param>
public sealed record NabScoredFile(string Name, IReadOnlyList<DateTime> Timestamps, IReadOnlyList<double> Scores, IReadOnlyList<NabWindow> Windows)
{
    public static NabScoredFile NullDetector(string name, IReadOnlyList<DateTime> timestamps, IReadOnlyList<NabWindow> windows)
        => new(name, timestamps, Enumerable.Repeat(0.5, timestamps.Count).ToArray(), windows);
}

/// <summary>One row as NAB's sweeper sees it: its score if it were a detection, and the window it belongs to.</summary>
/// <param name="WindowName">The window's name when the row is inside one; null outside windows.</param>
/// <param name="Probationary">In the file's probationary period: never scored.</param>
public readonly record struct NabSweepPoint(DateTime Timestamp, double AnomalyScore, double SweepScore, string? WindowName, bool Probationary);

/// <summary>The raw NAB score if every row scoring at least <see cref="Threshold"/> were a detection, with row counts.</summary>
public readonly record struct NabThresholdScore(double Threshold, double Score, int TruePositives, int TrueNegatives, int FalsePositives, int FalseNegatives, int Total);

/// <summary>
/// NAB's scoring (Lavin &amp; Ahmad 2015; numenta/NAB nab/sweeper.py, nab/optimizer.py, nab/runner.py, v1.1): a
/// detection early in a window earns up to the TP weight along a scaled sigmoid of its position, only the first
/// detection in a window counts, a window without one costs the FN weight, and every detection outside windows
/// costs up to the FP weight, less when it falls just after a window. The first 15% of each file (at most 750 rows)
/// is a probationary period that is never scored.
/// </summary>
public sealed class NabSweeper
{
    public NabSweeper(NabCostMatrix costMatrix, double probationPercent = 0.15)
    {
        ArgumentNullException.ThrowIfNull(costMatrix);
        if (probationPercent is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(probationPercent), probationPercent, "Must be in [0, 1).");
        }

        CostMatrix = costMatrix;
        ProbationPercent = probationPercent;
    }

    public NabCostMatrix CostMatrix { get; }

    public double ProbationPercent { get; }

    /// <summary>2·sigmoid(−5x) − 1: +0.987 at the left edge of a window (x = −1), 0 at its right edge, −1 far after it.</summary>
    public static double ScaledSigmoid(double relativePosition)
        => relativePosition > 3.0 ? -1.0 : (2.0 / (1.0 + Math.Exp(5.0 * relativePosition))) - 1.0;

    /// <summary>Rows of a file of <paramref name="rows"/> rows that are never scored: 15% of them, at most 15% of 5,000.</summary>
    public double ProbationaryLength(int rows) => Math.Min(Math.Floor(ProbationPercent * rows), ProbationPercent * 5000);

    /// <summary>NAB's calcSweepScore: each row's score as a detection, and its window.</summary>
    public List<NabSweepPoint> SweepScores(NabScoredFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var timestamps = file.Timestamps;
        if (timestamps.Count != file.Scores.Count)
        {
            throw new ArgumentException($"{file.Name}: {timestamps.Count} timestamps but {file.Scores.Count} scores.", nameof(file));
        }

        var rowOf = new Dictionary<DateTime, int>(timestamps.Count);
        for (var i = 0; i < timestamps.Count; i++)
        {
            rowOf.TryAdd(timestamps[i], i);
        }

        var pending = new Queue<NabWindow>(file.Windows.OrderBy(w => w.Start));
        var maxTp = ScaledSigmoid(-1.0);
        var probation = ProbationaryLength(timestamps.Count);
        var points = new List<NabSweepPoint>(timestamps.Count);

        NabWindow? current = null;
        string? currentName = null;
        var currentWidth = 0.0;
        var currentRight = 0;
        int? previousRight = null;
        var previousWidth = 0.0;

        for (var i = 0; i < timestamps.Count; i++)
        {
            var time = timestamps[i];
            if (pending.Count > 0 && time == pending.Peek().Start)
            {
                current = pending.Dequeue();
                currentName = $"{file.Name}|{current.Start:yyyy-MM-dd HH:mm:ss.ffffff}";
                currentRight = RowOf(current.End);
                currentWidth = currentRight - RowOf(current.Start) + 1;
            }

            double weighted;
            if (current is not null)
            {
                var position = -(currentRight - i + 1) / currentWidth;
                weighted = ScaledSigmoid(position) * CostMatrix.TpWeight / maxTp;
            }
            else
            {
                var unweighted = previousRight is { } right
                    ? ScaledSigmoid(Math.Abs(right - i) / (previousWidth - 1))
                    : -1.0;
                weighted = unweighted * CostMatrix.FpWeight;
            }

            var isProbationary = i < probation;
            points.Add(new NabSweepPoint(time, file.Scores[i], weighted, isProbationary ? null : currentName, isProbationary));

            if (current is not null && time == current.End)
            {
                previousRight = i;
                previousWidth = currentWidth;
                current = null;
                currentName = null;
            }
        }

        return points;

        int RowOf(DateTime t) => rowOf.TryGetValue(t, out var row)
            ? row
            : throw new ArgumentException($"{file.Name}: window edge {t:O} is not a row of the file.", nameof(file));
    }

    /// <summary>
    /// NAB's calcScoreByThreshold: the score for every distinct anomaly score used as the threshold, highest first,
    /// starting from 1.1 (nothing detected). Rows may come from several files.
    /// </summary>
    public List<NabThresholdScore> ScoresByThreshold(IEnumerable<NabSweepPoint> points)
    {
        var scorable = points.Where(p => !p.Probationary).OrderByDescending(p => p.AnomalyScore).ToList();
        var windowParts = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in scorable)
        {
            if (p.WindowName is { } name)
            {
                windowParts[name] = -CostMatrix.FnWeight;
            }
        }

        var fpPart = 0.0;
        var tn = scorable.Count(p => p.WindowName is null);
        var fn = scorable.Count - tn;
        int tp = 0, fp = 0;
        var threshold = 1.1;
        var result = new List<NabThresholdScore>();

        foreach (var p in scorable)
        {
            if (p.AnomalyScore != threshold)
            {
                result.Add(new NabThresholdScore(threshold, Total(), tp, tn, fp, fn, tp + tn + fp + fn));
                threshold = p.AnomalyScore;
            }

            if (p.WindowName is { } name)
            {
                tp++;
                fn--;

                // Only the best (earliest) detection in a window counts.
                windowParts[name] = Math.Max(windowParts[name], p.SweepScore);
            }
            else
            {
                fp++;
                tn--;
                fpPart += p.SweepScore;
            }
        }

        result.Add(new NabThresholdScore(threshold, Total(), tp, tn, fp, fn, tp + tn + fp + fn));
        return result;

        double Total() => fpPart + windowParts.Values.Sum();
    }

    /// <summary>NAB's scoreDataSet: the file's score when every row scoring at least <paramref name="threshold"/> is a detection.</summary>
    public NabThresholdScore Score(NabScoredFile file, double threshold)
    {
        var rows = ScoresByThreshold(SweepScores(file));
        NabThresholdScore? previous = null;
        foreach (var row in rows)
        {
            if (row.Threshold == threshold)
            {
                return row;
            }

            if (row.Threshold < threshold)
            {
                // NAB leaves no match when the threshold is above 1.1; that detects nothing, which is the first row.
                return previous ?? rows[0];
            }

            previous = row;
        }

        // Every score of the file is at or above the threshold: all rows are detections, the last row.
        return rows[^1];
    }

    /// <summary>NAB's optimizeThreshold: the threshold with the best total score over all files together.</summary>
    public NabThresholdScore Optimize(IEnumerable<NabScoredFile> files)
    {
        var all = new List<NabSweepPoint>();
        foreach (var file in files)
        {
            all.AddRange(SweepScores(file));
        }

        // Stable sort: among equal scores the highest threshold (the first row) wins, as in NAB.
        return ScoresByThreshold(all).OrderByDescending(r => r.Score).First();
    }
}

/// <summary>NAB's normalisation (runner.normalize): 0 is the null detector, 100 a detector that hits every window at its left edge.</summary>
public static class NabNormalizer
{
    public static double Normalize(double rawScore, double nullScore, int windowCount, NabCostMatrix costMatrix)
    {
        ArgumentNullException.ThrowIfNull(costMatrix);
        var perfect = windowCount * costMatrix.TpWeight;
        return 100.0 * (rawScore - nullScore) / (perfect - nullScore);
    }

    /// <summary>
    /// The normalised score, or null where the scale does not exist: a set of files with no anomaly window (a perfect
    /// score equal to the null detector's), where <see cref="Normalize"/> would print -Infinity or NaN.
    /// </summary>
    public static double? TryNormalize(double rawScore, double nullScore, int windowCount, NabCostMatrix costMatrix)
    {
        ArgumentNullException.ThrowIfNull(costMatrix);
        var perfect = windowCount * costMatrix.TpWeight;
        return windowCount == 0 || perfect == nullScore ? null : Normalize(rawScore, nullScore, windowCount, costMatrix);
    }
}
