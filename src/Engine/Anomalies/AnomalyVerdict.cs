namespace SalesDash.Engine.Anomalies;

/// <summary>How far outside its band an anomalous point lies.</summary>
public enum AnomalySeverity
{
    /// <summary>Not an anomaly.</summary>
    None,

    /// <summary>Out of band by less than half a band width again (under 1.5 × the half-band from the expected value).</summary>
    Low,

    /// <summary>1.5 to 3 half-bands from the expected value.</summary>
    Medium,

    /// <summary>More than 3 half-bands from the expected value.</summary>
    High,
}

/// <summary>The verdict on one point of a KPI stream, with what was expected there.</summary>
/// <param name="IsAnomaly">The spectral score and the seasonal deviation agree it is out of the ordinary (the spectral one alone while the seasonal history is too short).</param>
/// <param name="Value">The value observed.</param>
/// <param name="Expected">The value the stream was expected to take.</param>
/// <param name="Lower">Bottom of the normal band; never below zero for a stream that has had no negative value.</param>
/// <param name="Upper">Top of the normal band.</param>
/// <param name="Score">0..1, higher is more anomalous; above the detector's threshold for every anomaly. Null on a kept
/// minute older than a monitor's newest (<see cref="MinuteMonitor.Since"/>): no reader of past minutes needs it, so it is
/// not kept for them.</param>
/// <param name="Severity">How far outside the band; <see cref="AnomalySeverity.None"/> when not an anomaly.</param>
/// <param name="Likelihood">0..1, how far in the tail of the stream's own recent evidence the point is (log-scaled; 0.5
/// is 1 in 100,000); 0 while learning and for a while after a detection. See <see cref="AnomalyLikelihood"/>. Null where
/// <paramref name="Score"/> is.</param>
/// <param name="WindowMinutes">Minutes the value sums: the monitor's window, or a longer one when a drop over it was found (<see cref="OrderDropTest"/>).</param>
public sealed record AnomalyVerdict(
    bool IsAnomaly,
    double Value,
    double Expected,
    double Lower,
    double Upper,
    double? Score,
    AnomalySeverity Severity,
    double? Likelihood = 0,
    int WindowMinutes = MinuteMonitor.WindowMinutes)
{
    /// <summary>
    /// The verdict while a detector has seen too few points to judge: not an anomaly, expected what was seen, and a
    /// band of zero width around it (a band it cannot back up would be a guess).
    /// </summary>
    public static AnomalyVerdict WarmingUp(double value) => new(false, value, value, value, value, 0, AnomalySeverity.None);

    /// <summary>Severity of a point at <paramref name="value"/> given its expected value and band.</summary>
    public static AnomalySeverity SeverityOf(double value, double expected, double lower, double upper)
    {
        if (value >= lower && value <= upper)
        {
            return AnomalySeverity.None;
        }

        var halfBand = value > expected ? upper - expected : expected - lower;
        var distance = Math.Abs(value - expected);
        if (halfBand <= 0)
        {
            return AnomalySeverity.High;
        }

        var bands = distance / halfBand;
        return bands switch
        {
            < 1.5 => AnomalySeverity.Low,
            < 3 => AnomalySeverity.Medium,
            _ => AnomalySeverity.High,
        };
    }
}
