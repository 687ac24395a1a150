namespace SalesDash.Engine.Anomalies;

/// <summary>One point's ensemble score and the two likelihoods it came from.</summary>
/// <param name="Likelihood">The larger of the two: what the ensemble reports (0..1).</param>
/// <param name="KpiLikelihood"><see cref="KpiAnomalyDetector"/>'s likelihood (exponential multi-scale and seasonal evidence).</param>
/// <param name="RobustLikelihood"><see cref="RobustSeasonalDetector"/>'s likelihood (median decomposition).</param>
public readonly record struct EnsembleScore(double Likelihood, double KpiLikelihood, double RobustLikelihood);

/// <summary>
/// The product's likelihood and the robust seasonal decomposition's, run side by side on one stream; a point scores the
/// larger of the two.
/// </summary>
/// <remarks>
/// The two miss different things. The exponential evidence follows a new level within a hundred points and catches a
/// slow drift; the medians keep a spiky stream's spread small, so the next spike still stands out, and remove the daily
/// swing even where the same slot's spread is wide. Either one's tail is evidence, so the larger is kept (a mean would
/// halve a point only one of them sees; on NAB, out of sample, the mean loses and the larger wins: bench/README.md).
/// Pure and single-threaded: one per stream. Memory is the sum of the two detectors'.
/// </remarks>
public sealed class LikelihoodEnsemble
{
    private readonly KpiAnomalyDetector _kpi;
    private readonly RobustSeasonalDetector _robust;

    public LikelihoodEnsemble(KpiAnomalyOptions? kpi = null, RobustSeasonalOptions? robust = null)
    {
        _kpi = new KpiAnomalyDetector(kpi);
        _robust = new RobustSeasonalDetector(robust);
    }

    /// <summary>Judges the value observed at <paramref name="at"/> with both detectors, then each remembers it.</summary>
    public EnsembleScore Observe(DateTimeOffset at, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Must be finite.");
        }

        var kpi = _kpi.Observe(at, value).Likelihood;
        var robust = _robust.Observe(at, value);
        return new EnsembleScore(Math.Max(kpi, robust), kpi, robust);
    }
}
