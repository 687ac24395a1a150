namespace SalesDash.Engine.Anomalies;

/// <summary>
/// How surprising the newest point is on several time scales at once: for each scale s, the mean of the last s points
/// against a slow average of that same mean, in units of that scale's own typical deviation. The largest of these
/// z-like figures is the evidence.
/// </summary>
/// <remarks>
/// One scale sees one kind of change: a single point catches a spike, a few points a short slump, tens of points a level
/// shift that no single point makes obvious. Each scale is judged against its own typical deviation (not the point
/// spread divided by √s), because real streams are autocorrelated and the spread of their means shrinks far slower than
/// that. The centre and spread are exponential averages updated after the point is judged, so a change is measured
/// against what came before it, and a lasting change becomes the new normal at <see cref="Rate"/> per point rather than
/// alarming for ever. While young, the rate is 1/n so the first points do not fix "normal" at their own level.
/// Pure and single-threaded: one per stream.
/// </remarks>
public sealed class MultiScaleEvidence
{
    /// <summary>
    /// The surprise of a move off a perfectly flat line, in typical deviations. With no spread its size cannot be judged;
    /// infinity (capped later at 100) made one such point dominate the likelihood's history of a stepwise stream, so the
    /// real anomalies after it no longer stood out: on NAB, out of sample, 10 scores higher (bench/README.md).
    /// </summary>
    public const double FlatMove = 10;

    private readonly int[] _scales;
    private readonly double[] _window;
    private readonly double[] _center;
    private readonly double[] _spread;
    private long _count;

    /// <param name="scales">Points averaged per scale, each at least 1.</param>
    /// <param name="rate">How fast each scale's centre and spread follow the stream, per point (0, 1].</param>
    public MultiScaleEvidence(IReadOnlyList<int> scales, double rate)
    {
        ArgumentNullException.ThrowIfNull(scales);
        if (scales.Count == 0 || scales.Any(s => s < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(scales), "Need at least one scale, each of at least 1 point.");
        }

        if (!(rate is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "Must be in (0, 1].");
        }

        _scales = [.. scales];
        _window = new double[_scales.Max()];
        _center = new double[_scales.Length];
        _spread = new double[_scales.Length];
        Rate = rate;
    }

    private MultiScaleEvidence(MultiScaleEvidence other)
    {
        _scales = other._scales;
        _window = (double[])other._window.Clone();
        _center = (double[])other._center.Clone();
        _spread = (double[])other._spread.Clone();
        _count = other._count;
        Rate = other.Rate;
    }

    public double Rate { get; }

    /// <summary>An independent copy that goes on exactly as this one would.</summary>
    internal MultiScaleEvidence Clone() => new(this);

    /// <summary>Adds the newest value (finite) and returns the largest deviation over the scales, in typical deviations (0 or more).</summary>
    public double Push(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Must be finite.");
        }

        _window[(int)(_count % _window.Length)] = value;
        _count++;
        var largest = 0.0;
        var rate = Math.Max(Rate, 1.0 / _count);
        for (var k = 0; k < _scales.Length; k++)
        {
            var points = (int)Math.Min(_scales[k], _count);
            var sum = 0.0;
            for (var j = 0; j < points; j++)
            {
                sum += _window[(int)((_count - 1 - j) % _window.Length)];
            }

            var mean = sum / points;
            if (_count == 1)
            {
                _center[k] = mean;
                continue;
            }

            var deviation = Math.Abs(mean - _center[k]);

            // A stream flat until now has no spread to measure the move by: it counts as a clear move, not an infinite one.
            var z = _spread[k] > 0 ? deviation / _spread[k] : (deviation > 0 ? FlatMove : 0);
            largest = Math.Max(largest, z);
            _center[k] += rate * (mean - _center[k]);
            _spread[k] += rate * (deviation - _spread[k]);
        }

        return largest;
    }
}
