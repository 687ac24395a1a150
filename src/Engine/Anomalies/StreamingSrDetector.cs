namespace SalesDash.Engine.Anomalies;

/// <summary>
/// Spectral Residual on a live stream: each new point is scored against a sliding window of the points before it.
/// </summary>
/// <remarks>
/// The whole window goes through <see cref="SpectralResidual"/> and the newest point's verdict is kept. The newest
/// point would sit at the edge of the Fourier transform, where saliency is unreliable; the paper's remedy, the five
/// extrapolated points appended before the transform, is part of every <see cref="SpectralResidual"/> run, so the
/// newest point is scored from inside the transform. A cycle in the stream (a day, a week) is
/// <see cref="SeasonalBaseline"/>'s job, so the window is not deseasonalised: options with a period are refused.
/// Not thread-safe: one instance per stream, fed by its owner.
/// </remarks>
public sealed class StreamingSrDetector
{
    /// <summary>Smallest window accepted: below this the saliency map has too few frequencies to mean much.</summary>
    public const int MinimumWindowSize = 16;

    /// <summary>Largest window accepted: a day of minutes, which already costs four transforms of ~1,450 points per point.</summary>
    public const int MaximumWindowSize = 1440;

    private readonly SpectralResidual _detector;

    // The window's points by their bits in a palette: a quiet stream's 15-minute sums repeat (0 most of the night), and a
    // store runs eight such windows; a window of mostly distinct points, or of more points than a byte code reaches,
    // keeps plain doubles.
    private readonly PalettedColumn? _ring;
    private readonly double[]? _plainRing;
    private long _count;

    public StreamingSrDetector(int windowSize = 256, SpectralResidualOptions? options = null)
    {
        if (windowSize is < MinimumWindowSize or > MaximumWindowSize)
        {
            throw new ArgumentOutOfRangeException(nameof(windowSize), windowSize, $"Must be in [{MinimumWindowSize}, {MaximumWindowSize}].");
        }

        options ??= new SpectralResidualOptions();
        if (options.Period != 0)
        {
            throw new ArgumentException("A streaming window is not deseasonalised; use SeasonalBaseline for the cycle and leave Period at 0.", nameof(options));
        }

        _detector = new SpectralResidual(options);
        if (windowSize <= PalettedColumn.MaxSlots)
        {
            _ring = new PalettedColumn(windowSize);
        }
        else
        {
            _plainRing = new double[windowSize];
        }

        WindowSize = windowSize;
    }

    private StreamingSrDetector(StreamingSrDetector other)
    {
        _detector = other._detector;
        _ring = other._ring?.Clone();
        _plainRing = (double[]?)other._plainRing?.Clone();
        _count = other._count;
        WindowSize = other.WindowSize;
    }

    public int WindowSize { get; }

    public SpectralResidualOptions Options => _detector.Options;

    /// <summary>How many points have been pushed so far.</summary>
    public long Count => _count;

    /// <summary>Whether enough points have been seen for <see cref="Push"/> to score.</summary>
    public bool IsWarm => _count >= SpectralResidual.MinimumPoints;

    /// <summary>
    /// Adds the newest point and returns its verdict, scored against up to <see cref="WindowSize"/> − 1 points before
    /// it; null until <see cref="SpectralResidual.MinimumPoints"/> points have been seen.
    /// </summary>
    public SpectralResidualPoint? Push(double value)
    {
        Append(value);
        if (!IsWarm)
        {
            return null;
        }

        // The window is laid out oldest first on the stack rather than in a field: a store runs many detectors and
        // this copy is only needed for the moment of the transform (at most a day of minutes, 11.5 KB).
        var length = (int)Math.Min(_count, WindowSize);
        var oldest = _count - length;
        Span<double> window = stackalloc double[length];
        for (var i = 0; i < length; i++)
        {
            var slot = (int)((oldest + i) % WindowSize);
            window[i] = _ring is { } ring ? ring[slot] : _plainRing![slot];
        }

        var points = _detector.Detect(window);
        return points[length - 1];
    }

    /// <summary>An independent copy that goes on exactly as this one would.</summary>
    internal StreamingSrDetector Clone() => new(this);

    /// <summary>Adds the newest point to the window without scoring it: for a stream whose verdict is not needed now.</summary>
    public void Append(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Must be finite; map a missing figure to a value (often 0) before pushing.");
        }

        var slot = (int)(_count % WindowSize);
        if (_ring is { } ring)
        {
            ring.Set(slot, value);
        }
        else
        {
            _plainRing![slot] = value;
        }

        _count++;
    }
}
