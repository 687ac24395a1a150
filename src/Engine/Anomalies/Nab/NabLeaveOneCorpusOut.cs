namespace SalesDash.Engine.Anomalies.Nab;

/// <summary>One way of scoring every file of the benchmark (a detector under one setting), files in a fixed order.</summary>
public sealed record NabCandidate(string Name, IReadOnlyList<NabScoredFile> Files);

/// <summary>
/// One fold: the setting and threshold chosen on every corpus but <see cref="HeldOut"/>, and what they score there.
/// <see cref="HeldOutScore"/> is null when the held-out corpus has no anomaly window: NAB's scale (null detector to
/// perfect) does not exist there, so only the raw score (false positives' cost) is reported.
/// </summary>
public sealed record NabFold(
    string HeldOut,
    string Chosen,
    double Threshold,
    double TrainingScore,
    double HeldOutRaw,
    double HeldOutNullRaw,
    int HeldOutWindows,
    int HeldOutFalsePositives,
    double? HeldOutScore);

/// <summary>The out-of-sample figure: every file scored once, by a setting chosen without its corpus.</summary>
public sealed record NabOutOfSample(IReadOnlyList<NabFold> Folds, double Raw, double NullRaw, int Windows, double Score);

/// <summary>
/// Leave-one-corpus-out selection: for each corpus, the candidate and its threshold are chosen by NAB's own rule (best
/// normalised score, threshold optimised over the files) on the other corpora only, then applied unchanged to the held
/// -out corpus. The held-out raw scores of all folds are summed and normalised once, as NAB normalises a whole run, so
/// the headline answers "what does this detector score on data its settings never saw".
/// </summary>
public static class NabLeaveOneCorpusOut
{
    public static NabOutOfSample Run(
        IReadOnlyList<string> corpusOfFile,
        IReadOnlyList<NabCandidate> candidates,
        IReadOnlyList<NabScoredFile> nullFiles,
        NabCostMatrix cost)
    {
        ArgumentNullException.ThrowIfNull(corpusOfFile);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(nullFiles);
        ArgumentNullException.ThrowIfNull(cost);
        if (candidates.Count == 0)
        {
            throw new ArgumentException("At least one candidate is needed.", nameof(candidates));
        }

        foreach (var candidate in candidates)
        {
            if (candidate.Files.Count != corpusOfFile.Count)
            {
                throw new ArgumentException($"Candidate {candidate.Name} scores {candidate.Files.Count} files, expected {corpusOfFile.Count}.", nameof(candidates));
            }
        }

        if (nullFiles.Count != corpusOfFile.Count)
        {
            throw new ArgumentException($"The null detector scores {nullFiles.Count} files, expected {corpusOfFile.Count}.", nameof(nullFiles));
        }

        var corpora = corpusOfFile.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (corpora.Count < 2)
        {
            throw new ArgumentException("Leave-one-corpus-out needs at least two corpora.", nameof(corpusOfFile));
        }

        var sweeper = new NabSweeper(cost);
        var folds = new List<NabFold>(corpora.Count);
        foreach (var heldOut in corpora)
        {
            var training = Enumerable.Range(0, corpusOfFile.Count).Where(i => corpusOfFile[i] != heldOut).ToList();
            var testing = Enumerable.Range(0, corpusOfFile.Count).Where(i => corpusOfFile[i] == heldOut).ToList();
            var trainingWindows = training.Sum(i => nullFiles[i].Windows.Count);

            var nullTraining = sweeper.Optimize(training.Select(i => nullFiles[i]));
            (NabCandidate Candidate, NabThresholdScore Best, double Score)? chosen = null;
            foreach (var candidate in candidates)
            {
                var best = sweeper.Optimize(training.Select(i => candidate.Files[i]));
                var score = NabNormalizer.Normalize(best.Score, nullTraining.Score, trainingWindows, cost);

                // Ties keep the earlier candidate, so the order of the list is the documented tie-break.
                if (chosen is null || score > chosen.Value.Score)
                {
                    chosen = (candidate, best, score);
                }
            }

            var (pick, threshold, trainingScore) = chosen!.Value;
            var heldOutRows = testing.Select(i => sweeper.Score(pick.Files[i], threshold.Threshold)).ToList();
            var raw = heldOutRows.Sum(r => r.Score);
            var nullRaw = testing.Sum(i => sweeper.Score(nullFiles[i], nullTraining.Threshold).Score);
            var windows = testing.Sum(i => nullFiles[i].Windows.Count);
            folds.Add(new NabFold(
                heldOut,
                pick.Name,
                threshold.Threshold,
                trainingScore,
                raw,
                nullRaw,
                windows,
                heldOutRows.Sum(r => r.FalsePositives),
                NabNormalizer.TryNormalize(raw, nullRaw, windows, cost)));
        }

        var totalRaw = folds.Sum(f => f.HeldOutRaw);
        var totalNull = folds.Sum(f => f.HeldOutNullRaw);
        var totalWindows = folds.Sum(f => f.HeldOutWindows);
        return new NabOutOfSample(folds, totalRaw, totalNull, totalWindows, NabNormalizer.Normalize(totalRaw, totalNull, totalWindows, cost));
    }
}
