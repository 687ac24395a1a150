using SalesDash.Engine.Anomalies.Nab;

namespace SalesDash.Bench.Anomalies;

/// <summary>
/// One detector under one profile, as NAB's runner does it: optimise the threshold over all files, score each file at
/// that threshold, do the same for the null detector (constant 0.5), normalise against it and against a perfect score.
/// </summary>
/// <remarks>
/// NAB normalises only the whole benchmark. The per-corpus figures here reuse the overall threshold and normalise
/// each corpus against the null detector's raw score on that corpus and its own window count, so they add up to
/// the same scale. "Perfect" counts the windows of the files scored, not the whole label file: this folder holds 4
/// of NAB's 7 corpora. A corpus with no anomaly window has no such scale; its figure is null (printed "n/a").
/// </remarks>
internal sealed record NabEvaluation(
    double Threshold,
    double Raw,
    double NullRaw,
    double Perfect,
    double Overall,
    NabThresholdScore Counts,
    IReadOnlyDictionary<string, double?> PerCorpus)
{
    public static NabEvaluation Run(
        IReadOnlyList<NabDataFile> files,
        IReadOnlyList<NabScoredFile> scored,
        IReadOnlyList<NabScoredFile> nullScored,
        IReadOnlyList<string> corpora,
        NabCostMatrix cost)
    {
        var sweeper = new NabSweeper(cost);
        var threshold = sweeper.Optimize(scored).Threshold;
        var nullThreshold = sweeper.Optimize(nullScored).Threshold;

        var perFile = scored.Select(f => sweeper.Score(f, threshold)).ToList();
        var nullPerFile = nullScored.Select(f => sweeper.Score(f, nullThreshold).Score).ToList();

        double Sum(IEnumerable<int> rows, Func<int, double> pick) => rows.Sum(pick);
        var all = Enumerable.Range(0, files.Count).ToList();
        var raw = Sum(all, i => perFile[i].Score);
        var nullRaw = Sum(all, i => nullPerFile[i]);
        var windows = files.Sum(f => f.Windows.Length);

        var perCorpus = new Dictionary<string, double?>(StringComparer.Ordinal);
        foreach (var corpus in corpora)
        {
            var rows = all.Where(i => files[i].Corpus == corpus).ToList();
            perCorpus[corpus] = NabNormalizer.TryNormalize(
                Sum(rows, i => perFile[i].Score),
                Sum(rows, i => nullPerFile[i]),
                rows.Sum(i => files[i].Windows.Length),
                cost);
        }

        var counts = new NabThresholdScore(
            threshold,
            raw,
            perFile.Sum(r => r.TruePositives),
            perFile.Sum(r => r.TrueNegatives),
            perFile.Sum(r => r.FalsePositives),
            perFile.Sum(r => r.FalseNegatives),
            perFile.Sum(r => r.Total));

        return new NabEvaluation(threshold, raw, nullRaw, windows * cost.TpWeight, NabNormalizer.Normalize(raw, nullRaw, windows, cost), counts, perCorpus);
    }
}
