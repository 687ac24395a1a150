using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace SalesDash.Engine.Anomalies;

/// <summary>
/// Spectral Residual anomaly detection over a whole series (Ren et al., "Time-Series Anomaly Detection Service at
/// Microsoft", KDD 2019), with the expected value and band of each point.
/// </summary>
/// <remarks>
/// The steps, constants and corrections follow ML.NET's SrCnnEntireAnomalyDetector in "AnomalyAndMargin" mode
/// (dotnet/machinelearning, src/Microsoft.ML.TimeSeries/SrCnnEntireAnomalyDetector.cs, MIT licence, © .NET Foundation),
/// so a series gets the verdicts ML.NET's own tests expect. Differences, each on purpose:
/// <list type="bullet">
/// <item>FFTs come from MathNet.Numerics (same convention as ML.NET's MKL calls: unscaled forward, 1/n inverse).</item>
/// <item>Deseasonality offers Mean and Median; ML.NET's STL mode is not ported.</item>
/// <item>For a series with no negative value the lower bound is clipped at zero too (ML.NET clips only the expected
/// value), and symmetrically the upper bound at zero for a series with no positive value. A clip on the far side of
/// the value cannot change a verdict.</item>
/// <item>In periodic mode the anomaly score is measured from the expected value; ML.NET measures it from a buffer
/// left over from the spectral step, which is not a value of the series.</item>
/// <item>The run of out-of-band points that joins two anomalies is found the same way when it starts at index 0
/// (ML.NET's run tracking misses a run that starts there).</item>
/// </list>
/// Not thread-safe; holds no state between calls to <see cref="Detect"/>.
/// </remarks>
public sealed class SpectralResidual
{
    /// <summary>The fewest points the method can score (ML.NET's MinBatchSize).</summary>
    public const int MinimumPoints = 12;

    // Constants of SrCnnEntireModeler: extrapolated points appended, points they are extrapolated from, the window
    // that smooths the log spectrum, the window whose mean saliency a point is compared with.
    private const int LookaheadWindowSize = 5;
    private const int BackAddWindowSize = 5;
    private const int AveragingWindowSize = 3;
    private const int JudgementWindowSize = 40;
    private const double Eps = 1e-8;

    // Points whose score is above this are replaced by a line through their neighbours before the expected value is fitted.
    private const double DeanomalyThreshold = 0.35;

    // A non-anomalous point's expected value is pulled to within the band this sensitivity gives.
    private const double BoundSensitivity = 93.0;

    // Boundary unit used when the whole trend is zero, so the band does not collapse.
    private const double UnitForZero = 0.3;

    // Saliency scores are (S − mean)/mean ≤ w − 1 for a w-point average; the first w points are compared with the
    // mean at w so their scores are not squeezed. w = 11 is ML.NET's (int)(maximumScore * 10) + 1.
    private const int MinimumScoreWindowSize = 11;

    // A saliency candidate whose value lies within 1.5 σ of the mean is dropped as a false alarm.
    private const double ZScoreThreshold = 1.5;

    /// <summary>
    /// Band half-width per boundary unit for sensitivity 0..100 (index = sensitivity). Generated from the piecewise
    /// curve that ML.NET documents next to its literal table, so the values agree with it to rounding.
    /// </summary>
    private static readonly double[] Factors = BuildFactors();

    public SpectralResidual(SpectralResidualOptions? options = null)
    {
        Options = options ?? new SpectralResidualOptions();
        Options.Validate();
    }

    public SpectralResidualOptions Options { get; }

    /// <summary>Scores every point of <paramref name="values"/> (at least <see cref="MinimumPoints"/>, all finite).</summary>
    public SpectralResidualPoint[] Detect(ReadOnlySpan<double> values)
    {
        if (values.Length < MinimumPoints)
        {
            throw new ArgumentException($"Spectral Residual needs at least {MinimumPoints} points; got {values.Length}.", nameof(values));
        }

        if (Options.Period > 0 && values.Length < 4 * Options.Period)
        {
            // ML.NET's rule: fewer than four cycles give a seasonal component made of one or two samples per slot.
            throw new ArgumentException($"A period of {Options.Period} needs at least four cycles ({4 * Options.Period} points); got {values.Length}.", nameof(values));
        }

        var original = values.ToArray();
        foreach (var v in original)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException("Every value must be finite.", nameof(values));
            }
        }

        var stats = SeriesStats.Of(original);
        var toDetect = (double[])original.Clone();
        if (Options.Period > 0)
        {
            Deseasonalize(original, Options.Period, Options.Deseasonality, toDetect);
        }

        var scored = Saliency(toDetect, Options.Threshold, stats);
        return Options.Period > 0
            ? MarginPeriodic(original, toDetect, scored, stats)
            : Margin(original, scored, stats);
    }

    private readonly record struct SeriesStats(double Min, double Max, double Mean, double Std)
    {
        public static SeriesStats Of(double[] values)
        {
            double min = double.MaxValue, max = double.MinValue, sum = 0, squares = 0;
            foreach (var v in values)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
                sum += v;
                squares += v * v;
            }

            var n = values.Length;
            var variance = Math.Max(0, (squares - (sum * sum / n)) / n);
            return new SeriesStats(min, max, sum / n, Math.Sqrt(variance));
        }

        /// <summary>ML.NET's clip of an expected value to the sign the whole series has.</summary>
        public double ClipToRange(double value)
        {
            if (Min >= 0 && value < 0)
            {
                return 0;
            }

            return Max <= 0 && value > 0 ? 0 : value;
        }

        public (double Lower, double Upper) ClipBand(double lower, double upper)
        {
            if (Min >= 0)
            {
                lower = Math.Max(0, lower);
            }

            if (Max <= 0)
            {
                upper = Math.Min(0, upper);
            }

            return (lower, upper);
        }
    }

    private readonly record struct Scored(bool[] Candidate, double[] Score, double[] Magnitude);

    /// <summary>Steps 1–7: extrapolate, FFT, spectral residual, inverse FFT, saliency score, z-score correction.</summary>
    private static Scored Saliency(double[] series, double threshold, SeriesStats stats)
    {
        var n = series.Length;
        var magnitude = SaliencyMap(series);
        var length = magnitude.Length;

        var window = Math.Min(length, JudgementWindowSize);
        var localMean = TrailingAverage(magnitude, window);
        var head = Math.Min(length, MinimumScoreWindowSize);
        for (var i = 0; i <= head; i++)
        {
            localMean[i] = localMean[head - 1];
        }

        var candidate = new bool[n];
        var score = new double[n];
        var mag = new double[n];
        for (var i = 0; i < n; i++)
        {
            var divisor = Math.Abs(localMean[i]) < Eps ? Eps : localMean[i];
            var s = Math.Clamp(Math.Abs(magnitude[i] - localMean[i]) / divisor / 10.0, 0.0, 1.0);
            var flagged = s > threshold;
            if (flagged)
            {
                // The paper's saliency reacts to any sharp change; a value close to the mean is not worth an alert.
                var z = Math.Abs(series[i] - stats.Mean) / stats.Std;
                if (stats.Std < Eps || z < ZScoreThreshold)
                {
                    flagged = false;
                    s = 0;
                }
            }

            candidate[i] = flagged;
            score[i] = s;
            mag[i] = magnitude[i];
        }

        return new Scored(candidate, score, mag);
    }

    /// <summary>
    /// The saliency map of <paramref name="series"/> with the paper's extrapolated tail appended, so the newest real
    /// point sits inside the transform instead of at its edge. Length is n + 5.
    /// </summary>
    internal static double[] SaliencyMap(double[] series)
    {
        var n = series.Length;
        var predicted = PredictNext(series.AsSpan(n - LookaheadWindowSize - 2, LookaheadWindowSize + 1));
        var length = n + BackAddWindowSize;
        var spectrum = new Complex[length];
        for (var i = 0; i < n; i++)
        {
            spectrum[i] = new Complex(series[i], 0);
        }

        for (var i = n; i < length; i++)
        {
            spectrum[i] = new Complex(predicted, 0);
        }

        Fourier.Forward(spectrum, FourierOptions.Matlab);

        var amplitude = new double[length];
        var logAmplitude = new double[length];
        for (var i = 0; i < length; i++)
        {
            amplitude[i] = spectrum[i].Magnitude;
            logAmplitude[i] = amplitude[i] > Eps ? Math.Log(amplitude[i]) : 0;
        }

        // Spectral residual: log spectrum minus its local average, put back with the original phase.
        var averageLog = TrailingAverage(logAmplitude, AveragingWindowSize);
        for (var i = 0; i < length; i++)
        {
            if (logAmplitude[i] != 0)
            {
                var residual = Math.Exp(logAmplitude[i] - averageLog[i]);
                spectrum[i] *= residual / amplitude[i];
            }
            else
            {
                spectrum[i] = Complex.Zero;
            }
        }

        Fourier.Inverse(spectrum, FourierOptions.Matlab);
        var saliency = new double[length];
        for (var i = 0; i < length; i++)
        {
            saliency[i] = spectrum[i].Magnitude;
        }

        return saliency;
    }

    /// <summary>The paper's estimate of the next point: the slope from each of the last points to the newest, summed.</summary>
    private static double PredictNext(ReadOnlySpan<double> data)
    {
        var n = data.Length;
        var slopeSum = 0.0;
        for (var i = 0; i < n - 1; i++)
        {
            slopeSum += (data[n - 1] - data[i]) / (n - 1 - i);
        }

        return data[1] + slopeSum;
    }

    /// <summary>Mean of the last <paramref name="n"/> points up to and including each point; fewer at the start.</summary>
    internal static double[] TrailingAverage(double[] data, int n)
    {
        var length = data.Length;
        var prefix = new double[length];
        var sum = 0.0;
        for (var i = 0; i < length; i++)
        {
            sum += data[i];
            prefix[i] = sum;
        }

        var result = new double[length];
        for (var i = 0; i < length; i++)
        {
            result[i] = i >= n ? (prefix[i] - prefix[i - n]) / n : prefix[i] / (i + 1);
        }

        return result;
    }

    private static void Deseasonalize(double[] values, int period, SrDeseasonalityMode mode, double[] residual)
    {
        var slots = new List<double>[period];
        for (var p = 0; p < period; p++)
        {
            slots[p] = [];
        }

        for (var i = 0; i < values.Length; i++)
        {
            slots[i % period].Add(values[i]);
        }

        var cycle = new double[period];
        for (var p = 0; p < period; p++)
        {
            var slot = slots[p];
            if (mode == SrDeseasonalityMode.Mean)
            {
                cycle[p] = slot.Average();
            }
            else
            {
                // ML.NET's QuickMedian selects the (n/2 + 1)-th smallest: the upper median for an even count.
                slot.Sort();
                cycle[p] = slot[slot.Count / 2];
            }
        }

        for (var i = 0; i < values.Length; i++)
        {
            residual[i] -= cycle[i % period];
        }
    }

    /// <summary>Steps 8–13 without a period: expected value from a low-passed, de-anomalied copy, then the band.</summary>
    private SpectralResidualPoint[] Margin(double[] values, Scored scored, SeriesStats stats)
    {
        var n = values.Length;
        var deanomalied = Deanomaly(values, scored.Score);
        var fitted = LowPass(deanomalied);
        var units = BoundaryUnits(values, scored.Candidate);
        var sensitivity = Options.Sensitivity;

        var result = new SpectralResidualPoint[n];
        for (var i = 0; i < n; i++)
        {
            var margin = MarginOf(units[i], sensitivity);
            var expected = stats.ClipToRange(fitted[i]);
            var upper = fitted[i] + margin;
            var lower = fitted[i] - margin;
            var anomalyScore = AnomalyScoreOf(values[i], fitted[i], units[i], scored.Candidate[i]);
            var isAnomaly = scored.Candidate[i] && (values[i] < lower || values[i] > upper);
            if (!isAnomaly)
            {
                expected = PullTowards(values[i], expected, units[i]);
                upper = expected + margin;
                lower = expected - margin;
            }

            (lower, upper) = stats.ClipBand(lower, upper);
            result[i] = new SpectralResidualPoint(isAnomaly, scored.Score[i], scored.Magnitude[i], expected, units[i], upper, lower, anomalyScore);
        }

        return result;
    }

    /// <summary>Steps 8–11 with a period: the seasonal component is the expected value; out-of-band runs join anomalies.</summary>
    private SpectralResidualPoint[] MarginPeriodic(double[] values, double[] residual, Scored scored, SeriesStats stats)
    {
        var n = values.Length;
        var expected = new double[n];
        for (var i = 0; i < n; i++)
        {
            expected[i] = stats.ClipToRange(values[i] - residual[i]);
        }

        var units = BoundaryUnits(values, scored.Candidate);
        var upper = new double[n];
        var lower = new double[n];
        var isAnomaly = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var margin = MarginOf(units[i], Options.Sensitivity);
            upper[i] = expected[i] + margin;
            lower[i] = expected[i] - margin;
            isAnomaly[i] = scored.Candidate[i] && (values[i] < lower[i] || values[i] > upper[i]);
        }

        JoinAnomaliesWithinOutOfBandRuns(values, lower, upper, isAnomaly);

        var result = new SpectralResidualPoint[n];
        for (var i = 0; i < n; i++)
        {
            var anomalyScore = AnomalyScoreOf(values[i], expected[i], units[i], isAnomaly[i]);
            var e = expected[i];
            var up = upper[i];
            var low = lower[i];
            if (!isAnomaly[i])
            {
                var margin = up - e;
                e = PullTowards(values[i], e, units[i]);
                up = e + margin;
                low = e - margin;
            }

            (low, up) = stats.ClipBand(low, up);
            result[i] = new SpectralResidualPoint(isAnomaly[i], scored.Score[i], scored.Magnitude[i], e, units[i], up, low, anomalyScore);
        }

        return result;
    }

    /// <summary>
    /// Two anomalies inside one unbroken run of out-of-band points make every point between them an anomaly, so a
    /// sustained shift is reported whole rather than only at the edges the saliency map lights up.
    /// </summary>
    private static void JoinAnomaliesWithinOutOfBandRuns(double[] values, double[] lower, double[] upper, bool[] isAnomaly)
    {
        var runs = new List<(int Start, int End)>();
        var start = -1;
        for (var i = 0; i < values.Length; i++)
        {
            var outside = values[i] < lower[i] || values[i] > upper[i];
            if (outside && start < 0)
            {
                start = i;
            }
            else if (!outside && start >= 0)
            {
                runs.Add((start, i - 1));
                start = -1;
            }
        }

        if (start >= 0)
        {
            runs.Add((start, values.Length - 1));
        }

        var anomalies = new List<int>();
        for (var i = 0; i < isAnomaly.Length; i++)
        {
            if (isAnomaly[i])
            {
                anomalies.Add(i);
            }
        }

        var cursor = 0;
        for (var k = 0; k + 1 < anomalies.Count; k++)
        {
            while (cursor < runs.Count && anomalies[k] >= runs[cursor].End)
            {
                cursor++;
            }

            if (cursor < runs.Count && runs[cursor].Start <= anomalies[k] && anomalies[k + 1] <= runs[cursor].End)
            {
                for (var j = anomalies[k]; j < anomalies[k + 1]; j++)
                {
                    isAnomaly[j] = true;
                }
            }
        }
    }

    /// <summary>Replaces each high-score point by a least-squares line through its nearest ordinary neighbours (at least four).</summary>
    private static double[] Deanomaly(double[] data, double[] scores)
    {
        var result = (double[])data.Clone();
        var anomalous = new HashSet<int>();
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] > DeanomalyThreshold)
            {
                anomalous.Add(i);
            }
        }

        const int MinPointsToFit = 4;
        var fit = new List<int>();
        foreach (var idx in anomalous.Order())
        {
            var step = 1;
            Collect(idx, step);
            while (fit.Count < MinPointsToFit && (idx - step > 0 || idx + step < data.Length - 1))
            {
                step += 2;
                Collect(idx, step);
            }

            if (fit.Count > 1)
            {
                result[idx] = LineAt(fit, idx);
            }
        }

        return result;

        void Collect(int idx, int step)
        {
            fit.Clear();
            var from = Math.Max(idx - step, 0);
            var to = Math.Min(data.Length - 1, idx + step);
            for (var i = from; i <= to; i++)
            {
                if (!anomalous.Contains(i))
                {
                    fit.Add(i);
                }
            }
        }

        double LineAt(List<int> xs, int x)
        {
            double n = xs.Count, sx = 0, sy = 0, sxx = 0, sxy = 0;
            foreach (var i in xs)
            {
                sx += i;
                sy += data[i];
                sxx += (double)i * i;
                sxy += i * data[i];
            }

            var denominator = (n * sxx) - (sx * sx);
            var slope = ((n * sxy) - (sx * sy)) / denominator;
            var intercept = ((sxx * sy) - (sx * sxy)) / denominator;
            return (slope * x) + intercept;
        }
    }

    /// <summary>Drops the highest quarter of frequencies (bins strictly between 3n/8 and 5n/8) and transforms back.</summary>
    private static double[] LowPass(double[] data)
    {
        var length = data.Length;
        var spectrum = new Complex[length];
        for (var i = 0; i < length; i++)
        {
            spectrum[i] = new Complex(data[i], 0);
        }

        Fourier.Forward(spectrum, FourierOptions.Matlab);
        for (var i = 0; i < length; i++)
        {
            if (i > length * 3.0 / 8 && i < length * 5.0 / 8)
            {
                spectrum[i] = Complex.Zero;
            }
        }

        Fourier.Inverse(spectrum, FourierOptions.Matlab);
        var result = new double[length];
        for (var i = 0; i < length; i++)
        {
            result[i] = spectrum[i].Real;
        }

        return result;
    }

    /// <summary>
    /// The local scale of the series: half its centred running median, half the average of that median over the
    /// ordinary points. The band is a multiple of it, so it widens with the level of the series.
    /// </summary>
    private static double[] BoundaryUnits(double[] data, bool[] isAnomaly)
    {
        var window = Math.Min(data.Length / 3, 512);
        var trends = CentredMedian(data, window);
        var trendFraction = 0.5;
        var trendSum = 0.0;
        var counted = 0;
        var closeToZero = true;
        for (var i = 0; i < trends.Length; i++)
        {
            if (!isAnomaly[i])
            {
                // As in ML.NET: a negative trend counts as "close to zero" too.
                closeToZero = closeToZero && trends[i] < Eps;
                trendSum += Math.Abs(trends[i]);
                counted++;
            }
        }

        var averageTrendPart = 0.0;
        if (counted > 0)
        {
            averageTrendPart = trendSum / counted * (1 - trendFraction);
        }
        else
        {
            trendFraction = 1.0;
        }

        var units = new double[trends.Length];
        for (var i = 0; i < units.Length; i++)
        {
            units[i] = closeToZero ? UnitForZero : averageTrendPart + (Math.Abs(trends[i]) * trendFraction);
        }

        return units;
    }

    /// <summary>
    /// Median of the points within window/2 on each side, fewer at the ends (ML.NET's MedianFilter with both ends
    /// filled); a series shorter than the window is returned as it is.
    /// </summary>
    internal static double[] CentredMedian(double[] data, int window)
    {
        var half = window / 2;
        var span = (2 * half) + 1;
        var n = data.Length;
        var trends = (double[])data.Clone();
        if (n < span)
        {
            return trends;
        }

        var sorted = new List<double>(span);
        var added = 0;
        for (var i = 0; i < n; i++)
        {
            // Window for i is [i - half, i + half] clipped to the series.
            while (added <= Math.Min(n - 1, i + half))
            {
                Insert(sorted, data[added]);
                added++;
            }

            var leaving = i - half - 1;
            if (leaving >= 0)
            {
                sorted.RemoveAt(sorted.BinarySearch(data[leaving]) is var at && at >= 0 ? at : ~at);
            }

            var count = sorted.Count;
            trends[i] = count % 2 == 1 ? sorted[count / 2] : (sorted[(count / 2) - 1] + sorted[count / 2]) / 2;
        }

        return trends;

        static void Insert(List<double> list, double value)
        {
            var at = list.BinarySearch(value);
            list.Insert(at >= 0 ? at : ~at, value);
        }
    }

    private static double MarginOf(double unit, double sensitivity)
    {
        if (Math.Floor(sensitivity) == sensitivity)
        {
            return unit * Factors[(int)sensitivity];
        }

        var lb = (int)sensitivity;
        return (Factors[lb + 1] + ((Factors[lb] - Factors[lb + 1]) * (1 - sensitivity + lb))) * unit;
    }

    /// <summary>Keeps a non-anomalous point's expected value within the narrow band of sensitivity 93 around the value.</summary>
    private static double PullTowards(double value, double expected, double unit)
    {
        var boundMargin = MarginOf(unit, BoundSensitivity);
        return Math.Max(Math.Min(expected, value + boundMargin), value - boundMargin);
    }

    /// <summary>The sensitivity, as a fraction, at which the band edge would sit exactly at the value.</summary>
    private static double AnomalyScoreOf(double value, double expected, double unit, bool isAnomaly)
    {
        if (!isAnomaly)
        {
            return 0;
        }

        var distance = Math.Abs(expected - value) / unit;
        if (double.IsNaN(distance))
        {
            return 0;
        }

        int lb = 0, ub = 100;
        while (lb < ub)
        {
            var mid = (lb + ub) / 2;
            if (Factors[100 - mid] < distance)
            {
                lb = mid + 1;
            }
            else
            {
                ub = mid;
            }
        }

        double score;
        if (lb == 0 || Factors[100 - lb] == distance)
        {
            score = lb;
        }
        else
        {
            var lowerMargin = Factors[101 - lb];
            var upperMargin = Factors[100 - lb];
            score = lb - 1 + ((distance - lowerMargin) / (upperMargin - lowerMargin));
        }

        return Math.Clamp(score / 100.0, 0.0, 1.0);
    }

    private static double[] BuildFactors()
    {
        // ML.NET's generator: sensitivities 0..97 on a piecewise curve, then a hand-tuned tail down to 0 at 100;
        // the curve starts five entries early, which are dropped.
        var ratio = new List<double>(106);
        for (var i = 0; i < 30; i++)
        {
            ratio.Add((0.8 * (i - 30) * (i - 30)) + 32);
        }

        for (var i = 30; i < 50; i++)
        {
            ratio.Add((-1.25 * i) + 67.5);
        }

        for (var i = 50; i < 60; i++)
        {
            ratio.Add((-0.4 * i) + 25);
        }

        for (var i = 60; i < 70; i++)
        {
            ratio.Add((-0.04 * i) + 3.4);
        }

        for (var i = 70; i < 80; i++)
        {
            ratio.Add((-0.03 * i) + 2.7);
        }

        for (var i = 80; i < 90; i++)
        {
            ratio.Add((-0.015 * i) + 1.5);
        }

        const double TailSlope = -0.011818181818181818;
        const double TailIntercept = 1.2136363636363636;
        for (var i = 90; i < 98; i++)
        {
            ratio.Add((TailSlope * i) + TailIntercept);
        }

        ratio.Add((TailSlope * 99) + TailIntercept);
        ratio.Add(0.012);
        for (var i = 0; i < 5; i++)
        {
            ratio.Add((-0.001925 * i) + 0.008);
        }

        ratio.Add(0);
        return [.. ratio.Skip(5)];
    }
}
