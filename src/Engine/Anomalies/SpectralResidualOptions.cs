namespace SalesDash.Engine.Anomalies;

/// <summary>How a periodic series is made flat before the spectral step (ML.NET's SrCnnDeseasonalityMode, without STL).</summary>
public enum SrDeseasonalityMode
{
    /// <summary>Subtract the mean of the points at the same position in every period.</summary>
    Mean,

    /// <summary>Subtract the median of the points at the same position in every period; robust to the anomalies themselves.</summary>
    Median,
}

/// <summary>Settings of the Spectral Residual detector; names and ranges follow ML.NET's SrCnnEntireAnomalyDetectorOptions.</summary>
public sealed record SpectralResidualOptions
{
    /// <summary>A point whose saliency score (0..1) is above this is a candidate anomaly. ML.NET's default is 0.3.</summary>
    public double Threshold { get; init; } = 0.3;

    /// <summary>0..100: the higher, the narrower the expected band, so more candidates end up outside it. ML.NET's default is 70.</summary>
    public double Sensitivity { get; init; } = 70;

    /// <summary>Points per cycle when the series repeats (288 for a day of 5-minute points); 0 means no cycle.</summary>
    public int Period { get; init; }

    public SrDeseasonalityMode Deseasonality { get; init; } = SrDeseasonalityMode.Median;

    /// <summary>Throws when a setting is out of the range ML.NET accepts.</summary>
    public void Validate()
    {
        if (double.IsNaN(Threshold) || Threshold is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "Must be in [0, 1].");
        }

        if (double.IsNaN(Sensitivity) || Sensitivity is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(Sensitivity), Sensitivity, "Must be in [0, 100].");
        }

        if (Period < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Period), Period, "Must be 0 (no cycle) or more.");
        }

        if (!Enum.IsDefined(Deseasonality))
        {
            throw new ArgumentOutOfRangeException(nameof(Deseasonality), Deseasonality, "Unknown mode.");
        }
    }
}

/// <summary>
/// What Spectral Residual says about one point, in ML.NET's "AnomalyAndMargin" layout: the decision, the saliency
/// score, the value the series was expected to take there and the band around it.
/// </summary>
/// <param name="IsAnomaly">Saliency above the threshold and the value outside [LowerBound, UpperBound].</param>
/// <param name="RawScore">Saliency score in [0, 1]: |S − mean(S)| / mean(S) / 10, clipped; 0 when the value is within 1.5 σ of the mean.</param>
/// <param name="Magnitude">The saliency map at this point.</param>
/// <param name="ExpectedValue">The value the series was expected to take.</param>
/// <param name="BoundaryUnit">The local scale the band is a multiple of.</param>
/// <param name="UpperBound">Top of the expected band.</param>
/// <param name="LowerBound">Bottom of the expected band; never below zero for a series that has no negative value.</param>
/// <param name="AnomalyScore">How far outside the band, as the sensitivity (0..1) at which the band would just reach the value; 0 when not an anomaly.</param>
public readonly record struct SpectralResidualPoint(
    bool IsAnomaly,
    double RawScore,
    double Magnitude,
    double ExpectedValue,
    double BoundaryUnit,
    double UpperBound,
    double LowerBound,
    double AnomalyScore);
