namespace SalesDash.Engine.Anomalies;

/// <summary>Settings of one <see cref="RobustSeasonalDetector"/>.</summary>
public sealed record RobustSeasonalOptions
{
    /// <summary>Time between two points of the stream.</summary>
    public TimeSpan Step { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The cycle the stream repeats; its same slot in previous cycles is the seasonal component.</summary>
    public TimeSpan Season { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Previous seasons remembered.</summary>
    public int Seasons { get; init; } = 7;

    /// <summary>Previous seasons with a sample before the seasonal component is removed; fewer and only the trend is.</summary>
    public int MinimumSeasons { get; init; } = 2;

    /// <summary>Steps either side of the same slot that also count as "the same time".</summary>
    public int SlotRadius { get; init; } = 1;

    /// <summary>
    /// Points whose median is the trend of the deseasonalised stream: long enough that one slump does not move it
    /// at once (a median ignores a run shorter than half of it), short enough to follow a level that has really moved.
    /// </summary>
    public int TrendWindow { get; init; } = 60;

    /// <summary>Residuals whose median absolute size is the typical residual (the robust spread) at each scale.</summary>
    public int ScaleWindow { get; init; } = 1000;

    /// <summary>Residuals averaged per scale: a point, a short run, a level.</summary>
    public IReadOnlyList<int> EvidenceScales { get; init; } = [1, 5, 30];

    /// <summary>Residuals known at a scale before its spread is trusted.</summary>
    public int MinimumResiduals { get; init; } = 30;

    /// <summary>Points of evidence the likelihood is judged against.</summary>
    public int LikelihoodHistory { get; init; } = 8640;

    /// <summary>Points seen before any likelihood is reported.</summary>
    public int LikelihoodLearning { get; init; } = 400;

    /// <summary>Recent evidence averaged before it is judged.</summary>
    public int LikelihoodAverage { get; init; } = 10;

    /// <summary>Points after a likely anomaly whose likelihood is silenced, so one slump is one detection.</summary>
    public int LikelihoodSuppression { get; init; } = 200;

    /// <summary>Log-scaled likelihood (0..1) that starts the silence.</summary>
    public double LikelihoodThreshold { get; init; } = 0.5;

    public void Validate()
    {
        if (MinimumSeasons < 1 || MinimumSeasons > Seasons)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumSeasons), MinimumSeasons, "Must be in [1, Seasons].");
        }

        if (TrendWindow < 1 || ScaleWindow < 2 || MinimumResiduals < 1 || MinimumResiduals > ScaleWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(TrendWindow), "Need TrendWindow >= 1, ScaleWindow >= 2 and 1 <= MinimumResiduals <= ScaleWindow.");
        }

        ArgumentNullException.ThrowIfNull(EvidenceScales);
        if (EvidenceScales.Count == 0 || EvidenceScales.Any(s => s < 1 || s > ScaleWindow))
        {
            throw new ArgumentOutOfRangeException(nameof(EvidenceScales), "Need at least one scale, each in [1, ScaleWindow].");
        }

        if (ScaleWindow + EvidenceScales.Max() > ushort.MaxValue)
        {
            // The spreads number their residuals in 2 bytes (ResidualSpreads).
            throw new ArgumentOutOfRangeException(nameof(ScaleWindow), ScaleWindow, "ScaleWindow plus the longest scale must be at most 65,535.");
        }

        _ = new SeasonalBaseline(Step, Season, Seasons, SlotRadius);
        _ = new AnomalyLikelihood(LikelihoodHistory, LikelihoodAverage, LikelihoodLearning, LikelihoodThreshold, LikelihoodSuppression);
    }
}

/// <summary>
/// Streaming robust seasonal decomposition (STL-like, median instead of loess): value = seasonal + trend + residual,
/// with the residual judged in units of its own median absolute size on several time scales, and that evidence turned
/// into a likelihood against the stream's own history.
/// </summary>
/// <remarks>
/// The seasonal component is the median of the same slot in previous seasons (<see cref="SeasonalBaseline"/>); the trend
/// is the median of the last <see cref="RobustSeasonalOptions.TrendWindow"/> deseasonalised values; what is left is the
/// residual. Every centre and spread is a median, so the outliers this detector is looking for do not move them: an
/// exponential mean and mean deviation (<see cref="MultiScaleEvidence"/>) are pulled by every spike they have seen, which
/// hides the next one on a spiky stream. At each scale s the mean of the last s residuals is divided by 1.4826 × the median
/// absolute mean of s residuals over the last <see cref="RobustSeasonalOptions.ScaleWindow"/> (a robust standard
/// deviation); the largest of those, capped at 100 and divided by 10, is the evidence <see cref="AnomalyLikelihood"/>
/// judges. Until the seasons are known the seasonal component is 0 and only the trend is removed; when they become known
/// the residual history is restarted, because residuals of the two kinds are not on one scale.
/// Memory: the trend window keeps arrival order only (a median is selected when asked), the spreads keep only the
/// non-zero residuals, recompute the sizes that join and leave each window, and recompute them all only when a
/// median leaves the band of sizes kept around it (<see cref="ResidualSpreads"/>), and run
/// beside <see cref="KpiAnomalyDetector"/> (<see cref="KpiAnomalyOptions.Robust"/>) the seasons are read from that
/// detector's ring instead of a second copy of the same stream. Pure and single-threaded.
/// </remarks>
public sealed class RobustSeasonalDetector
{
    private const double MadToSigma = 1.4826;
    private const double EvidenceCap = 100;

    private readonly SeasonalBaseline _baseline;

    // False when another detector of the same stream owns the ring and records each value in it.
    private readonly bool _ownsBaseline;
    private readonly MedianWindow _trend;
    private readonly int[] _scales;
    private readonly ResidualSpreads _spreads;
    private readonly AnomalyLikelihood _likelihood;
    private bool _seasonal;

    public RobustSeasonalDetector(RobustSeasonalOptions? options = null)
        : this(options ?? new RobustSeasonalOptions(), shared: null)
    {
    }

    /// <param name="shared">
    /// The seasonal history of the same stream kept by another detector, which records every value in it before this one
    /// is fed the next; null for an own ring. Must have this detector's step and season and at least its seasons and radius.
    /// </param>
    internal RobustSeasonalDetector(RobustSeasonalOptions options, SeasonalBaseline? shared)
    {
        Options = options;
        Options.Validate();
        if (shared is not null && (shared.Step != Options.Step || shared.Season != Options.Season || shared.Seasons < Options.Seasons || shared.SlotRadius < Options.SlotRadius))
        {
            throw new ArgumentException("A shared seasonal history must have this detector's step and season and at least its seasons and radius.", nameof(shared));
        }

        _ownsBaseline = shared is null;
        _baseline = shared ?? new SeasonalBaseline(Options.Step, Options.Season, Options.Seasons, Options.SlotRadius);
        _trend = new MedianWindow(Options.TrendWindow);
        _scales = [.. Options.EvidenceScales];
        _spreads = new ResidualSpreads(Options.ScaleWindow, _scales);
        _likelihood = new AnomalyLikelihood(Options.LikelihoodHistory, Options.LikelihoodAverage, Options.LikelihoodLearning, Options.LikelihoodThreshold, Options.LikelihoodSuppression);
    }

    private RobustSeasonalDetector(RobustSeasonalDetector other, SeasonalBaseline? shared)
    {
        Options = other.Options;
        _ownsBaseline = other._ownsBaseline;
        _baseline = other._ownsBaseline ? other._baseline.Clone() : shared ?? throw new ArgumentNullException(nameof(shared), "A copy of a detector that shares a ring needs the copy of that ring.");
        _trend = other._trend.Clone();
        _scales = other._scales;
        _spreads = other._spreads.Clone();
        _likelihood = other._likelihood.Clone();
        _seasonal = other._seasonal;
        Evidence = other.Evidence;
    }

    public RobustSeasonalOptions Options { get; }

    /// <summary>The newest point's evidence: its largest residual over the scales, in robust standard deviations (0 or more).</summary>
    public double Evidence { get; private set; }

    /// <summary>An independent copy that goes on exactly as this one would; one sharing a ring reads <paramref name="shared"/>, the copy of that ring.</summary>
    internal RobustSeasonalDetector Clone(SeasonalBaseline? shared = null) => new(this, shared);

    /// <summary>Judges the value observed at <paramref name="at"/> and returns its log-scaled likelihood (0..1), then remembers it.</summary>
    public double Observe(DateTimeOffset at, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Must be finite.");
        }

        var season = _baseline.Estimate(at, Options.Seasons, Options.SlotRadius);
        if (_ownsBaseline)
        {
            _baseline.Add(at, value);
        }

        var seasonal = season is { } s && s.Seasons >= Options.MinimumSeasons;
        if (seasonal != _seasonal)
        {
            // Residuals about a trend alone carry the daily swing; about season and trend they do not. One spread for
            // both would judge the second kind by the first's far larger size.
            _seasonal = seasonal;
            _trend.Clear();
            _spreads.Clear();
        }

        var deseasonalised = seasonal ? value - season!.Value.Median : value;
        var residual = _trend.Count == 0 ? 0 : deseasonalised - _trend.Median();
        _trend.Add(deseasonalised);

        _spreads.Add(residual);
        var evidence = 0.0;
        for (var k = 0; k < _scales.Length; k++)
        {
            if (_spreads.Count < _scales[k])
            {
                continue;
            }

            // Judged against the sizes before it, so a slump does not make itself normal.
            if (_spreads.SpreadCount(_scales[k]) >= Options.MinimumResiduals)
            {
                var size = _spreads.NewestSize(_scales[k]);
                var typical = MadToSigma * _spreads.Median(_scales[k]);
                var z = typical > 0 ? size / typical : (size > 0 ? MultiScaleEvidence.FlatMove : 0);
                evidence = Math.Max(evidence, z);
            }
        }

        Evidence = evidence;
        if (_likelihood.Count == 0)
        {
            // Blocks of history on the clock's steps, so a rebuild's blocks are the live detector's (AnomalyLikelihood).
            _likelihood.AlignBlocks(at.UtcTicks / Options.Step.Ticks);
        }

        return _likelihood.Update(Math.Min(evidence, EvidenceCap) / 10);
    }
}

/// <summary>
/// The last <c>capacity</c> values in arrival order, and their median. While the window holds at most 255 distinct
/// values each costs a byte (a code into a palette of the values held, with a count each), and the median is read off the
/// palette sorted; past that the window moves to plain doubles for good, and the median is selected from a copy when asked.
/// </summary>
/// <remarks>
/// A quiet stream's residual sizes repeat (mostly zero, a few order-sized steps), so its 1,000-value spreads cost about
/// 1 KB instead of 8; a busy stream's are all distinct and cost what its values do, 8 bytes each. A sorted second copy
/// made each median O(log n) to find but doubled that. The median is the same whichever way it is found.
/// </remarks>
internal sealed class MedianWindow
{
    private const int MaxCodes = 255;

    // Larger windows select in a rented array rather than on the stack.
    private const int StackLimit = 1024;

    private readonly int _capacity;
    private byte[]? _codes;
    private double[] _palette = [];
    private int[] _counts = [];
    private int _paletteUsed;

    // Set once the palette overflowed; then _codes is null.
    private double[]? _values;
    private long _count;

    public MedianWindow(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _codes = new byte[capacity];
    }

    private MedianWindow(MedianWindow other)
    {
        _capacity = other._capacity;
        _codes = (byte[]?)other._codes?.Clone();
        _palette = (double[])other._palette.Clone();
        _counts = (int[])other._counts.Clone();
        _paletteUsed = other._paletteUsed;
        _values = (double[]?)other._values?.Clone();
        _count = other._count;
    }

    public int Count => (int)Math.Min(_count, _capacity);

    /// <summary>Whether every value held costs a byte (false once the window holds plain doubles).</summary>
    internal bool IsPaletted => _codes is not null;

    public void Add(double value)
    {
        var at = (int)(_count % _capacity);
        var full = _count >= _capacity;
        _count++;
        if (_codes is not { } codes)
        {
            _values![at] = value;
            return;
        }

        if (full)
        {
            _counts[codes[at]]--;
        }

        var code = CodeOf(value);
        if (code < 0)
        {
            ToDoubles(at, value);
            return;
        }

        codes[at] = (byte)code;
    }

    /// <summary>The median of the values held: the middle one, or the mean of the two middle ones.</summary>
    public double Median()
    {
        var n = Count;
        if (n == 0)
        {
            throw new InvalidOperationException("The window is empty.");
        }

        return _codes is null ? SelectedMedian(n) : PaletteMedian(n);
    }

    public void Clear()
    {
        _count = 0;
        if (_codes is not null)
        {
            Array.Clear(_counts);
        }
    }

    public MedianWindow Clone() => new(this);

    private double PaletteMedian(int n)
    {
        Span<double> values = stackalloc double[_paletteUsed];
        Span<int> counts = stackalloc int[_paletteUsed];
        var distinct = 0;
        for (var i = 0; i < _paletteUsed; i++)
        {
            if (_counts[i] > 0)
            {
                values[distinct] = _palette[i];
                counts[distinct] = _counts[i];
                distinct++;
            }
        }

        values = values[..distinct];
        counts = counts[..distinct];
        values.Sort(counts);
        var lower = ValueAtRank(values, counts, (n - 1) / 2);
        var upper = ValueAtRank(values, counts, n / 2);
        return n % 2 == 1 ? upper : (lower + upper) / 2;
    }

    private static double ValueAtRank(ReadOnlySpan<double> values, ReadOnlySpan<int> counts, int rank)
    {
        for (var i = 0; i < values.Length; i++)
        {
            rank -= counts[i];
            if (rank < 0)
            {
                return values[i];
            }
        }

        throw new InvalidOperationException("The palette's counts are fewer than the values held.");
    }

    private double SelectedMedian(int n)
    {
        double[]? rented = null;
        var values = n <= StackLimit ? stackalloc double[n] : (rented = System.Buffers.ArrayPool<double>.Shared.Rent(n)).AsSpan(0, n);
        try
        {
            _values.AsSpan(0, n).CopyTo(values);
            var upper = Select(values, n / 2);
            if (n % 2 == 1)
            {
                return upper;
            }

            // After the selection everything left of n/2 is no larger than it: the lower middle is their largest.
            var lower = values[0];
            for (var i = 1; i < n / 2; i++)
            {
                lower = Math.Max(lower, values[i]);
            }

            return (lower + upper) / 2;
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    // The code that holds the value, counted once more; a free or new code when none does; -1 when the palette is full.
    private int CodeOf(double value)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        var free = -1;
        for (var i = 0; i < _paletteUsed; i++)
        {
            if (_counts[i] == 0)
            {
                free = free < 0 ? i : free;
            }
            else if (BitConverter.DoubleToInt64Bits(_palette[i]) == bits)
            {
                _counts[i]++;
                return i;
            }
        }

        if (free < 0)
        {
            if (_paletteUsed == MaxCodes)
            {
                return -1;
            }

            if (_paletteUsed == _palette.Length)
            {
                var grown = Math.Min(MaxCodes, Math.Max(4, _palette.Length * 2));
                Array.Resize(ref _palette, grown);
                Array.Resize(ref _counts, grown);
            }

            free = _paletteUsed++;
        }

        _palette[free] = value;
        _counts[free] = 1;
        return free;
    }

    // The slot at `at` was released (if it held a value) and takes `value`, which no code can hold.
    private void ToDoubles(int at, double value)
    {
        var codes = _codes!;
        var values = new double[_capacity];
        var held = Count;
        for (var i = 0; i < held; i++)
        {
            values[i] = _palette[codes[i]];
        }

        values[at] = value;
        _values = values;
        _codes = null;
        _palette = [];
        _counts = [];
        _paletteUsed = 0;
    }

    // Hoare's selection: the k-th smallest, with values[..k] no larger and values[k+1..] no smaller. Values are finite.
    internal static double Select(Span<double> values, int k)
    {
        var left = 0;
        var right = values.Length - 1;
        while (left < right)
        {
            var pivot = values[left + ((right - left) / 2)];
            var i = left;
            var j = right;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                right = j;
            }
            else if (k >= i)
            {
                left = i;
            }
            else
            {
                return values[k];
            }
        }

        return values[k];
    }
}
