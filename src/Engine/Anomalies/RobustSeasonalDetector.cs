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
/// the residual history is restarted, because residuals of the two kinds are not on one scale. Pure and single-threaded.
/// </remarks>
public sealed class RobustSeasonalDetector
{
    private const double MadToSigma = 1.4826;
    private const double EvidenceCap = 100;

    private readonly SeasonalBaseline _baseline;
    private readonly SortedWindow _trend;
    private readonly int[] _scales;
    private readonly double[] _residuals;
    private readonly SortedWindow[] _spreads;
    private readonly AnomalyLikelihood _likelihood;
    private long _residualCount;
    private bool _seasonal;

    public RobustSeasonalDetector(RobustSeasonalOptions? options = null)
    {
        Options = options ?? new RobustSeasonalOptions();
        Options.Validate();
        _baseline = new SeasonalBaseline(Options.Step, Options.Season, Options.Seasons, Options.SlotRadius);
        _trend = new SortedWindow(Options.TrendWindow);
        _scales = [.. Options.EvidenceScales];
        _residuals = new double[_scales.Max()];
        _spreads = [.. _scales.Select(_ => new SortedWindow(Options.ScaleWindow))];
        _likelihood = new AnomalyLikelihood(Options.LikelihoodHistory, Options.LikelihoodAverage, Options.LikelihoodLearning, Options.LikelihoodThreshold, Options.LikelihoodSuppression);
    }

    public RobustSeasonalOptions Options { get; }

    /// <summary>The newest point's evidence: its largest residual over the scales, in robust standard deviations (0 or more).</summary>
    public double Evidence { get; private set; }

    /// <summary>Judges the value observed at <paramref name="at"/> and returns its log-scaled likelihood (0..1), then remembers it.</summary>
    public double Observe(DateTimeOffset at, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Must be finite.");
        }

        var season = _baseline.Estimate(at);
        _baseline.Add(at, value);
        var seasonal = season is { } s && s.Seasons >= Options.MinimumSeasons;
        if (seasonal != _seasonal)
        {
            // Residuals about a trend alone carry the daily swing; about season and trend they do not. One spread for
            // both would judge the second kind by the first's far larger size.
            _seasonal = seasonal;
            _trend.Clear();
            foreach (var spread in _spreads)
            {
                spread.Clear();
            }

            _residualCount = 0;
        }

        var deseasonalised = seasonal ? value - season!.Value.Median : value;
        var residual = _trend.Count == 0 ? 0 : deseasonalised - _trend.Median();
        _trend.Add(deseasonalised);

        _residuals[(int)(_residualCount % _residuals.Length)] = residual;
        _residualCount++;
        var evidence = 0.0;
        for (var k = 0; k < _scales.Length; k++)
        {
            if (_residualCount < _scales[k])
            {
                continue;
            }

            var sum = 0.0;
            for (var j = 0; j < _scales[k]; j++)
            {
                sum += _residuals[(int)((_residualCount - 1 - j) % _residuals.Length)];
            }

            var size = Math.Abs(sum / _scales[k]);
            var spreads = _spreads[k];
            if (spreads.Count >= Options.MinimumResiduals)
            {
                var typical = MadToSigma * spreads.Median();
                var z = typical > 0 ? size / typical : (size > 0 ? MultiScaleEvidence.FlatMove : 0);
                evidence = Math.Max(evidence, z);
            }

            // Judged before it joins, so a slump does not make itself normal.
            spreads.Add(size);
        }

        Evidence = evidence;
        return _likelihood.Update(Math.Min(evidence, EvidenceCap) / 10);
    }
}

/// <summary>The last <c>capacity</c> values in arrival order and in sorted order, for a running median in O(capacity) per value.</summary>
internal sealed class SortedWindow
{
    private readonly double[] _arrivals;
    private readonly List<double> _sorted;
    private long _count;

    public SortedWindow(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _arrivals = new double[capacity];
        _sorted = new List<double>(capacity);
    }

    public int Count => _sorted.Count;

    public void Add(double value)
    {
        if (_sorted.Count == _arrivals.Length)
        {
            var oldest = _arrivals[(int)(_count % _arrivals.Length)];
            _sorted.RemoveAt(IndexOf(oldest));
        }

        _arrivals[(int)(_count % _arrivals.Length)] = value;
        _count++;
        var at = _sorted.BinarySearch(value);
        _sorted.Insert(at < 0 ? ~at : at, value);
    }

    public double Median()
    {
        if (_sorted.Count == 0)
        {
            throw new InvalidOperationException("The window is empty.");
        }

        var n = _sorted.Count;
        return n % 2 == 1 ? _sorted[n / 2] : (_sorted[(n / 2) - 1] + _sorted[n / 2]) / 2;
    }

    public void Clear()
    {
        _sorted.Clear();
        _count = 0;
    }

    private int IndexOf(double value)
    {
        var at = _sorted.BinarySearch(value);
        return at >= 0 ? at : throw new InvalidOperationException("A value in the window is missing from its sorted copy.");
    }
}
