using SalesDash.Engine.Anomalies;

namespace SalesDash.Bench.Anomalies;

/// <summary>A detector under test: turns one file's values into an anomaly score (0..1) per row, streaming, row by row.</summary>
internal sealed record NabDetector(string Name, string Description, Func<NabDataFile, double[]> Run);

/// <summary>The SalesDash detectors as NAB runs them: one fresh instance per file, every row seen once, in order.</summary>
internal static class NabDetectors
{
    /// <summary>Spectral Residual alone on a sliding window: the saliency score of the newest point.</summary>
    public static NabDetector SpectralResidual(int windowSize, double sensitivity) => new(
        "SR",
        $"StreamingSrDetector, window {windowSize}, score = saliency score",
        file =>
        {
            var detector = new StreamingSrDetector(windowSize, new SpectralResidualOptions { Sensitivity = sensitivity });
            var scores = new double[file.Values.Length];
            for (var i = 0; i < scores.Length; i++)
            {
                scores[i] = detector.Push(file.Values[i])?.RawScore ?? 0;
            }

            return scores;
        });

    /// <summary>
    /// The product's detector, <see cref="KpiAnomalyDetector"/>: spectral score and seasonal deviation must agree.
    /// NAB's files are machine and traffic metrics spanning days to months, not weeks of shop minutes, so the season
    /// is a day (the longest cycle most files repeat often enough) and the step is the file's typical sampling interval.
    /// </summary>
    public static NabDetector Combined(int windowSize, double sensitivity) => new(
        "SR+seasonal",
        $"KpiAnomalyDetector, window {windowSize}, season 1 day x 7, score = verdict score",
        file =>
        {
            var step = file.TypicalStep();
            var detector = new KpiAnomalyDetector(new KpiAnomalyOptions
            {
                WindowSize = windowSize,
                Sensitivity = sensitivity,
                Step = step,
                Season = TimeSpan.FromDays(1),
                Seasons = 7,
                MinimumSeasons = 2,
                SlotRadius = 1,
            });
            var scores = new double[file.Values.Length];
            for (var i = 0; i < scores.Length; i++)
            {
                scores[i] = detector.Observe(new DateTimeOffset(file.Timestamps[i], TimeSpan.Zero), file.Values[i]).Score!.Value;
            }

            return scores;
        });

    /// <summary>
    /// The same detector, scored by its likelihood: multi-scale and seasonal surprise judged against the file's own
    /// recent evidence, silenced for a while after each detection. Learning lasts NAB's probationary period (15% of the
    /// file, at most 750 rows) or the detector's default, whichever is shorter: NAB tells every detector that length.
    /// With no settings given, evidence rate and suppression are the detector's defaults; the leave-one-corpus-out run
    /// also tries their neighbours. The likelihood never reads the spectral window, so the window given only changes the
    /// run time (a test pins that).
    /// </summary>
    public static NabDetector Likelihood(int windowSize, double sensitivity, double? rate = null, int? suppression = null)
    {
        var defaults = new KpiAnomalyOptions();
        var r = rate ?? defaults.EvidenceRate;
        var s = suppression ?? defaults.LikelihoodSuppression;
        var isDefault = r == defaults.EvidenceRate && s == defaults.LikelihoodSuppression;
        return new(
            isDefault ? "likelihood" : FormattableString.Invariant($"L r{r} s{s}"),
            FormattableString.Invariant($"KpiAnomalyDetector, season 1 day x 7, evidence scales {string.Join('/', defaults.EvidenceScales)} rate {r}, likelihood history {defaults.LikelihoodHistory}, average {defaults.LikelihoodAverage}, suppression {s}, score = verdict likelihood"),
            file =>
            {
                var detector = new KpiAnomalyDetector(LikelihoodOptions(file, windowSize, sensitivity, r, s));
                var scores = new double[file.Values.Length];
                for (var i = 0; i < scores.Length; i++)
                {
                    scores[i] = detector.Observe(new DateTimeOffset(file.Timestamps[i], TimeSpan.Zero), file.Values[i]).Likelihood!.Value;
                }

                return scores;
            });
    }

    /// <summary>
    /// <see cref="RobustSeasonalDetector"/>: the same season (a day of the file's typical step, 7 of them), medians for the
    /// seasonal component, the trend and every spread, scored by its likelihood with NAB's probationary period as learning.
    /// </summary>
    public static NabDetector RobustSeasonal(int trendWindow)
    {
        var defaults = new RobustSeasonalOptions();
        return new(
            trendWindow == defaults.TrendWindow ? "robust" : FormattableString.Invariant($"robust t{trendWindow}"),
            FormattableString.Invariant($"RobustSeasonalDetector, season 1 day x 7, trend median of {trendWindow}, spread over {defaults.ScaleWindow}, scales {string.Join('/', defaults.EvidenceScales)}, score = likelihood"),
            file =>
            {
                var detector = new RobustSeasonalDetector(RobustOptions(file, trendWindow));
                var scores = new double[file.Values.Length];
                for (var i = 0; i < scores.Length; i++)
                {
                    scores[i] = detector.Observe(new DateTimeOffset(file.Timestamps[i], TimeSpan.Zero), file.Values[i]);
                }

                return scores;
            });
    }

    /// <summary>
    /// <see cref="LikelihoodEnsemble"/>: the likelihood (default setting) and the robust detector with the given trend
    /// window, each set exactly as its own candidate is; per row, the larger of their likelihoods.
    /// </summary>
    public static NabDetector Ensemble(int windowSize, double sensitivity, int trendWindow)
    {
        var defaults = new KpiAnomalyOptions();
        var robust = RobustSeasonal(trendWindow);
        return new(
            $"L+{robust.Name} max",
            $"LikelihoodEnsemble: per row the larger of likelihood and {robust.Name}",
            file =>
            {
                var ensemble = new LikelihoodEnsemble(
                    LikelihoodOptions(file, windowSize, sensitivity, defaults.EvidenceRate, defaults.LikelihoodSuppression),
                    RobustOptions(file, trendWindow));
                var scores = new double[file.Values.Length];
                for (var i = 0; i < scores.Length; i++)
                {
                    scores[i] = ensemble.Observe(new DateTimeOffset(file.Timestamps[i], TimeSpan.Zero), file.Values[i]).Likelihood;
                }

                return scores;
            });
    }

    // NAB tells every detector its probationary period (15% of the file, at most 750 rows): learning lasts that or the
    // detector's default, whichever is shorter.
    private static int Learning(NabDataFile file, int defaultLearning)
    {
        var probation = (int)Math.Min(Math.Floor(0.15 * file.Values.Length), 0.15 * 5000);
        return Math.Max(1, Math.Min(defaultLearning, probation));
    }

    private static KpiAnomalyOptions LikelihoodOptions(NabDataFile file, int windowSize, double sensitivity, double rate, int suppression) => new()
    {
        WindowSize = windowSize,
        Sensitivity = sensitivity,
        Step = file.TypicalStep(),
        Season = TimeSpan.FromDays(1),
        Seasons = 7,
        MinimumSeasons = 2,
        SlotRadius = 1,
        LikelihoodLearning = Learning(file, new KpiAnomalyOptions().LikelihoodLearning),
        LikelihoodSuppression = suppression,
        EvidenceRate = rate,
    };

    private static RobustSeasonalOptions RobustOptions(NabDataFile file, int trendWindow) => new()
    {
        Step = file.TypicalStep(),
        TrendWindow = trendWindow,
        LikelihoodLearning = Learning(file, new RobustSeasonalOptions().LikelihoodLearning),
    };
}
