using SalesDash.Engine.Anomalies.Nab;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>Leave-one-corpus-out selection on files small enough to reason about by hand.</summary>
public sealed class NabLeaveOneCorpusOutTests
{
    private static readonly DateTime T0 = new(2014, 4, 1, 0, 0, 0);

    // 40 one-minute rows; one window over rows 20..27; probation = 6 rows.
    private static readonly DateTime[] Timestamps = Enumerable.Range(0, 40).Select(i => T0.AddMinutes(i)).ToArray();
    private static readonly NabWindow[] OneWindow = [new(T0.AddMinutes(20), T0.AddMinutes(27))];

    private static readonly string[] Corpora = ["alpha", "alpha", "beta", "beta", "gamma", "gamma"];

    private static double[] FiresAt(int row) => Enumerable.Range(0, 40).Select(i => i == row ? 0.9 : 0.0).ToArray();

    private static IReadOnlyList<NabScoredFile> Score(Func<int, double[]> byFile, Func<int, NabWindow[]>? windows = null) =>
        Enumerable.Range(0, Corpora.Length)
            .Select(i => new NabScoredFile($"{Corpora[i]}/f{i}.csv", Timestamps, byFile(i), windows?.Invoke(i) ?? OneWindow))
            .ToList();

    private static IReadOnlyList<NabScoredFile> Null(Func<int, NabWindow[]>? windows = null) =>
        Enumerable.Range(0, Corpora.Length)
            .Select(i => NabScoredFile.NullDetector($"{Corpora[i]}/f{i}.csv", Timestamps, windows?.Invoke(i) ?? OneWindow))
            .ToList();

    [Fact]
    public void A_setting_that_only_shines_on_the_held_out_corpus_is_not_chosen_for_it()
    {
        // "specialist" hits alpha's windows at their left edge and sees nothing elsewhere; "generalist" hits every
        // window late. Chosen with alpha left out, only the generalist has shown anything, so alpha gets the generalist
        // even though the specialist would score better there: the held-out corpus took no part in the choice.
        var specialist = new NabCandidate("specialist", Score(i => Corpora[i] == "alpha" ? FiresAt(20) : new double[40]));
        var generalist = new NabCandidate("generalist", Score(_ => FiresAt(26)));

        var result = NabLeaveOneCorpusOut.Run(Corpora, [specialist, generalist], Null(), NabCostMatrix.Standard);

        var alpha = Assert.Single(result.Folds, f => f.HeldOut == "alpha");
        Assert.Equal("generalist", alpha.Chosen);
        Assert.All(result.Folds, f => Assert.Equal("generalist", f.Chosen));

        // The held-out figure is the generalist's own, at the threshold optimised without alpha.
        var sweeper = new NabSweeper(NabCostMatrix.Standard);
        var trainingThreshold = sweeper.Optimize(generalist.Files.Where((_, i) => Corpora[i] != "alpha")).Threshold;
        var expectedRaw = generalist.Files.Where((_, i) => Corpora[i] == "alpha").Sum(f => sweeper.Score(f, trainingThreshold).Score);
        Assert.Equal(expectedRaw, alpha.HeldOutRaw, 12);

        var specialistOnAlpha = specialist.Files.Where((_, i) => Corpora[i] == "alpha").Sum(f => sweeper.Score(f, 0.9).Score);
        Assert.True(specialistOnAlpha > alpha.HeldOutRaw, "the specialist would have scored better on alpha had it been allowed to peek");
    }

    [Fact]
    public void The_headline_normalises_the_summed_held_out_scores_once()
    {
        var early = new NabCandidate("early", Score(_ => FiresAt(21)));
        var late = new NabCandidate("late", Score(_ => FiresAt(27)));

        var result = NabLeaveOneCorpusOut.Run(Corpora, [late, early], Null(), NabCostMatrix.Standard);

        Assert.All(result.Folds, f => Assert.Equal("early", f.Chosen));
        Assert.Equal(result.Folds.Sum(f => f.HeldOutRaw), result.Raw, 12);
        Assert.Equal(6, result.Windows);
        Assert.Equal(NabNormalizer.Normalize(result.Raw, result.NullRaw, 6, NabCostMatrix.Standard), result.Score, 12);
        Assert.InRange(result.Score, 0.0, 100.0);
    }

    [Fact]
    public void A_held_out_corpus_without_windows_reports_no_scale_but_its_false_positives_count()
    {
        NabWindow[] Windows(int i) => Corpora[i] == "gamma" ? [] : OneWindow;
        var candidate = new NabCandidate("noisy", Score(i => Corpora[i] == "gamma" ? FiresAt(30) : FiresAt(21), Windows));

        var result = NabLeaveOneCorpusOut.Run(Corpora, [candidate], Null(Windows), NabCostMatrix.Standard);

        var gamma = Assert.Single(result.Folds, f => f.HeldOut == "gamma");
        Assert.Null(gamma.HeldOutScore);
        Assert.Equal(0, gamma.HeldOutWindows);
        Assert.Equal(2, gamma.HeldOutFalsePositives);
        Assert.True(gamma.HeldOutRaw < 0);
        Assert.True(double.IsFinite(result.Score));
        Assert.All(result.Folds.Where(f => f.HeldOut != "gamma"), f => Assert.NotNull(f.HeldOutScore));
    }

    [Fact]
    public void Normalising_a_set_with_no_window_gives_no_figure_instead_of_infinity()
    {
        Assert.Null(NabNormalizer.TryNormalize(-0.2, 0, 0, NabCostMatrix.Standard));
        Assert.Equal(NabNormalizer.Normalize(1, -1, 2, NabCostMatrix.Standard), NabNormalizer.TryNormalize(1, -1, 2, NabCostMatrix.Standard));
    }

    [Fact]
    public void One_corpus_cannot_be_left_out()
    {
        var candidate = new NabCandidate("c", Score(_ => FiresAt(21)).Take(2).ToList());
        Assert.Throws<ArgumentException>(() => NabLeaveOneCorpusOut.Run(["alpha", "alpha"], [candidate], Null().Take(2).ToList(), NabCostMatrix.Standard));
    }
}
