using System.Globalization;

namespace SalesDash.Bench.Anomalies;

/// <summary>Formatting shared by the tables: a score that has no NAB scale (no anomaly window) prints as n/a, never -Infinity or NaN.</summary>
internal static class NabReport
{
    public static string Score(double? score, int width) =>
        (score is { } s ? s.ToString("F1", CultureInfo.InvariantCulture) : "n/a").PadLeft(width);
}
