namespace SalesDash.Engine.Anomalies;

/// <summary>One point's ensemble score and the two likelihoods it came from.</summary>
/// <param name="Likelihood">The larger of the two: what the ensemble reports (0..1).</param>
/// <param name="KpiLikelihood"><see cref="KpiAnomalyDetector"/>'s likelihood (exponential multi-scale and seasonal evidence).</param>
/// <param name="RobustLikelihood"><see cref="RobustSeasonalDetector"/>'s likelihood (median decomposition).</param>
public readonly record struct EnsembleScore(double Likelihood, double KpiLikelihood, double RobustLikelihood);

/// <summary>
/// The product's likelihood and the robust seasonal decomposition's, run side by side on one stream; a point scores the
/// larger of the two. What <see cref="MinuteMonitor"/> runs on every stream.
/// </summary>
/// <remarks>
/// The two miss different things. The exponential evidence follows a new level within a hundred points and catches a
/// slow drift; the medians keep a spiky stream's spread small, so the next spike still stands out, and remove the daily
/// swing even where the same slot's spread is wide. Either one's tail is evidence, so the larger is kept (a mean would
/// halve a point only one of them sees; on NAB, out of sample, the mean loses and the larger wins: bench/README.md).
/// It is a <see cref="KpiAnomalyDetector"/> with <see cref="KpiAnomalyOptions.Robust"/> set, so its verdicts (band,
/// spectral check, quiet time) are that detector's, judged by the larger likelihood, and the two share one seasonal ring.
/// Pure and single-threaded: one per stream.
/// </remarks>
public sealed class LikelihoodEnsemble
{
    private readonly KpiAnomalyDetector _detector;

    /// <param name="kpi">The likelihood's settings; its <see cref="KpiAnomalyOptions.Robust"/> is used when <paramref name="robust"/> is null.</param>
    /// <param name="robust">The robust half's settings; the defaults when neither gives any.</param>
    public LikelihoodEnsemble(KpiAnomalyOptions? kpi = null, RobustSeasonalOptions? robust = null)
    {
        kpi ??= new KpiAnomalyOptions();
        _detector = new KpiAnomalyDetector(kpi with { Robust = robust ?? kpi.Robust ?? new RobustSeasonalOptions() });
    }

    /// <summary>The newest point's likelihoods.</summary>
    public EnsembleScore LastScore => _detector.LastScore;

    /// <summary>Judges the value observed at <paramref name="at"/> with both detectors, then each remembers it.</summary>
    public EnsembleScore Observe(DateTimeOffset at, double value)
    {
        Judge(at, value);
        return _detector.LastScore;
    }

    /// <summary>The verdict on the value observed at <paramref name="at"/>, judged by the larger likelihood (see <see cref="KpiAnomalyDetector.Observe"/>).</summary>
    public AnomalyVerdict Judge(DateTimeOffset at, double value, double eventSize = 0)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Must be finite.");
        }

        return _detector.Observe(at, value, eventSize);
    }
}
