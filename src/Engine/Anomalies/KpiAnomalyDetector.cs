namespace SalesDash.Engine.Anomalies;

/// <summary>Settings of one <see cref="KpiAnomalyDetector"/>; the defaults suit a per-minute KPI with a weekly rhythm.</summary>
public sealed record KpiAnomalyOptions
{
    /// <summary>Points in the spectral window: four hours of minutes.</summary>
    public int WindowSize { get; init; } = 240;

    /// <summary>Spectral score (0..1) a point must exceed; also the verdict score an anomaly exceeds. ML.NET's default.</summary>
    public double Threshold { get; init; } = 0.3;

    /// <summary>0..100 width of the spectral band when it is the one reported (short history); higher is narrower.</summary>
    public double Sensitivity { get; init; } = 80;

    /// <summary>Time between two points of the stream.</summary>
    public TimeSpan Step { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The cycle the stream repeats: a week, so a normal Monday-morning rise is compared with previous Mondays.</summary>
    public TimeSpan Season { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How many previous seasons are remembered.</summary>
    public int Seasons { get; init; } = 4;

    /// <summary>Seasons with a sample needed before the seasonal baseline has a say; fewer and the spectral verdict stands alone.</summary>
    public int MinimumSeasons { get; init; } = 2;

    /// <summary>Steps either side of the same slot that also count as "the same time" in a previous season.</summary>
    public int SlotRadius { get; init; } = 2;

    /// <summary>
    /// Half-width of the seasonal band, in robust standard deviations. At 3.5 pure 5% noise on a synthetic shop still
    /// raised about one alert a fortnight; at 4 none in ten weeks, while a 40% drop stays far outside.
    /// </summary>
    public double SeasonalDeviations { get; init; } = 4.0;

    /// <summary>Floor of the seasonal spread as a fraction of the usual level, so a stream that was flat for weeks is not alarmed by 1%.</summary>
    public double MinimumRelativeSpread { get; init; } = 0.05;

    /// <summary>Floor of the seasonal spread in the stream's own unit (e.g. 1 order), for streams that are usually zero.</summary>
    public double MinimumSpread { get; init; }

    /// <summary>Points of the stream's own evidence the likelihood is judged against (Numenta uses about a month of 5-minute points).</summary>
    public int LikelihoodHistory { get; init; } = 3000;

    /// <summary>Points seen before any likelihood is reported: the probation in which the stream's normal is learnt.</summary>
    public int LikelihoodLearning { get; init; } = 300;

    /// <summary>Points after a likely anomaly whose likelihood is silenced, so one slump is one detection.</summary>
    public int LikelihoodSuppression { get; init; } = 200;

    /// <summary>Log-scaled likelihood (0..1) that makes an out-of-band point an anomaly on its own; 0.5 is a 1-in-100,000 tail.</summary>
    public double LikelihoodThreshold { get; init; } = 0.5;

    public void Validate()
    {
        new SpectralResidualOptions { Threshold = Threshold, Sensitivity = Sensitivity }.Validate();
        if (MinimumSeasons < 1 || MinimumSeasons > Seasons)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumSeasons), MinimumSeasons, "Must be in [1, Seasons].");
        }

        if (!(SeasonalDeviations > 0) || double.IsInfinity(SeasonalDeviations))
        {
            throw new ArgumentOutOfRangeException(nameof(SeasonalDeviations), SeasonalDeviations, "Must be positive.");
        }

        if (!(MinimumRelativeSpread >= 0) || !(MinimumSpread >= 0) || double.IsInfinity(MinimumRelativeSpread) || double.IsInfinity(MinimumSpread))
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumSpread), "Spread floors must be finite and not negative.");
        }

        if (!(LikelihoodThreshold is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(LikelihoodThreshold), LikelihoodThreshold, "Must be in (0, 1].");
        }

        _ = new AnomalyLikelihood(LikelihoodHistory, 1, LikelihoodLearning, LikelihoodThreshold, LikelihoodSuppression);
    }
}

/// <summary>
/// Streaming anomaly detection for one KPI stream of one store (revenue/min, orders/min, conversion, AOV, per channel):
/// Spectral Residual on a sliding window, checked against the same slot in previous seasons.
/// </summary>
/// <remarks>
/// Once <see cref="KpiAnomalyOptions.MinimumSeasons"/> previous seasons are known, a point is an anomaly only when
/// both agree: the seasonal deviation (further than <see cref="KpiAnomalyOptions.SeasonalDeviations"/> robust
/// standard deviations from the same slot's median in previous seasons) and the spectral verdict on the
/// deseasonalised stream (value − that median), as ML.NET does for a periodic series. On the raw stream the
/// spectral step would flag every Monday-morning rise, and its z-score correction would hide a drop to a level that
/// is ordinary at night; on the residual, the rise is flat and the drop stands out. The seasonal check alone would
/// keep flagging a slow drift for as long as it lasts; the spectral one reports the change when it happens.
/// While the history is shorter, the spectral verdict and band on the raw stream stand alone.
/// The score is the smaller of the spectral score and the seasonal deviation mapped so that the threshold falls at
/// the band edge; so it passes the threshold only where both do.
/// The likelihood judges the point against the stream's own history instead of a fixed threshold: the evidence (the
/// mean of the spectral score and the seasonal deviation in robust sigmas / 10, capped at 1; the spectral score alone
/// while the seasonal history is short) goes through <see cref="AnomalyLikelihood"/>, which fits the stream's recent
/// evidence and reports how far in its tail the point is, silenced for a while after a detection. An out-of-band point
/// whose likelihood reaches <see cref="KpiAnomalyOptions.LikelihoodThreshold"/> is an anomaly even when the spectral
/// verdict alone would not call it one: a slump that builds over a few minutes is not "salient" but is still rare.
/// Feed one point per <see cref="KpiAnomalyOptions.Step"/>, zeros included: a missing minute is not skipped time to
/// the spectral window. Pure and single-threaded: the tenant entity owns one per stream.
/// </remarks>
public sealed class KpiAnomalyDetector
{
    private readonly StreamingSrDetector _raw;
    private readonly StreamingSrDetector _residual;
    private readonly SeasonalBaseline _baseline;
    private readonly AnomalyLikelihood _likelihood;

    // The raw stream's evidence and the deseasonalised one's are different distributions: each has its own normal.
    private readonly AnomalyLikelihood _rawLikelihood;
    private bool _seenNegative;
    private bool _seenPositive;

    public KpiAnomalyDetector(KpiAnomalyOptions? options = null)
    {
        Options = options ?? new KpiAnomalyOptions();
        Options.Validate();
        var spectral = new SpectralResidualOptions { Threshold = Options.Threshold, Sensitivity = Options.Sensitivity };
        _raw = new StreamingSrDetector(Options.WindowSize, spectral);
        _residual = new StreamingSrDetector(Options.WindowSize, spectral);
        _baseline = new SeasonalBaseline(Options.Step, Options.Season, Options.Seasons, Options.SlotRadius);
        _likelihood = new AnomalyLikelihood(Options.LikelihoodHistory, 1, Options.LikelihoodLearning, Options.LikelihoodThreshold, Options.LikelihoodSuppression);
        _rawLikelihood = new AnomalyLikelihood(Options.LikelihoodHistory, 1, Options.LikelihoodLearning, Options.LikelihoodThreshold, Options.LikelihoodSuppression);
    }

    public KpiAnomalyOptions Options { get; }

    /// <summary>Judges the value observed at <paramref name="at"/> (store-local time), then remembers it.</summary>
    /// <param name="eventSize">
    /// For a stream that sums random arrivals (orders, their money), the size of one arrival (1 for a count, the average
    /// order value for revenue); 0 otherwise. A sum of Poisson arrivals with mean m has a standard deviation of about
    /// √(m × size), so the band is never narrower than that: at night, when a 15-minute window expects four orders, one
    /// order is bad luck, not an outage, however steady the previous nights were.
    /// </param>
    public AnomalyVerdict Observe(DateTimeOffset at, double value, double eventSize = 0)
    {
        if (!double.IsFinite(eventSize) || eventSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(eventSize), eventSize, "Must be finite and not negative.");
        }

        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Must be finite; map a missing figure to a value (often 0) first.");
        }

        _seenNegative |= value < 0;
        _seenPositive |= value > 0;
        var seasonal = _baseline.Estimate(at);
        _baseline.Add(at, value);

        if (seasonal is { } season && season.Seasons >= Options.MinimumSeasons)
        {
            var residual = _residual.Push(value - season.Median);
            if (residual is { } onResidual)
            {
                // The raw window keeps up without paying for a transform, in case the history thins out again.
                _raw.Append(value);
                return Combine(value, onResidual, season, eventSize);
            }
        }

        if (_raw.Push(value) is { } sr)
        {
            return SpectralOnly(value, sr);
        }

        _rawLikelihood.Update(0);
        return AnomalyVerdict.WarmingUp(value);
    }

    private AnomalyVerdict SpectralOnly(double value, SpectralResidualPoint sr)
    {
        var (lower, upper) = ClipBand(sr.LowerBound, sr.UpperBound);
        var likelihood = _rawLikelihood.Update(sr.RawScore);
        var isAnomaly = sr.IsAnomaly || (likelihood >= Options.LikelihoodThreshold && (value < lower || value > upper));
        var severity = isAnomaly ? AnomalyVerdict.SeverityOf(value, sr.ExpectedValue, lower, upper) : AnomalySeverity.None;
        return new AnomalyVerdict(isAnomaly, value, sr.ExpectedValue, lower, upper, sr.RawScore, severity, likelihood);
    }

    private AnomalyVerdict Combine(double value, SpectralResidualPoint onResidual, SeasonalEstimate season, double eventSize)
    {
        var expected = season.Median;
        var spread = Math.Max(season.Spread, Math.Max(Options.MinimumRelativeSpread * Math.Abs(expected), Options.MinimumSpread));
        spread = Math.Max(spread, Math.Sqrt(Math.Abs(expected) * eventSize));
        var halfBand = Options.SeasonalDeviations * spread;
        var (lower, upper) = ClipBand(expected - halfBand, expected + halfBand);

        var deviation = Math.Abs(value - expected);
        var deviations = spread > 0 ? deviation / spread : (deviation > 0 ? double.PositiveInfinity : 0);
        var seasonalScore = Math.Clamp(Options.Threshold * deviations / Options.SeasonalDeviations, 0, 1);
        var score = Math.Min(onResidual.RawScore, seasonalScore);

        var outside = value < lower || value > upper;
        var evidence = (onResidual.RawScore + Math.Min(1, deviations / 10)) / 2;
        var likelihood = _likelihood.Update(evidence);
        var isAnomaly = outside && (onResidual.IsAnomaly || likelihood >= Options.LikelihoodThreshold);
        var severity = isAnomaly ? AnomalyVerdict.SeverityOf(value, expected, lower, upper) : AnomalySeverity.None;
        return new AnomalyVerdict(isAnomaly, value, expected, lower, upper, score, severity, likelihood);
    }

    private (double Lower, double Upper) ClipBand(double lower, double upper)
    {
        if (!_seenNegative)
        {
            lower = Math.Max(0, lower);
        }

        if (!_seenPositive && _seenNegative)
        {
            upper = Math.Min(0, upper);
        }

        return (lower, upper);
    }
}
