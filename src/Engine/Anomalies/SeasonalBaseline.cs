namespace SalesDash.Engine.Anomalies;

/// <summary>What the same slot looked like in previous seasons: a robust centre and spread.</summary>
/// <param name="Median">Median of the samples: the value this slot usually takes.</param>
/// <param name="Spread">1.4826 × the median absolute deviation: a standard deviation that a few odd weeks cannot inflate.</param>
/// <param name="Samples">How many past values the estimate rests on.</param>
/// <param name="Seasons">How many previous seasons contributed at least one sample.</param>
public readonly record struct SeasonalEstimate(double Median, double Spread, int Samples, int Seasons);

/// <summary>
/// Remembers a stream's recent seasons (e.g. four weeks of minutes) and tells what the same slot — same minute of
/// the week, give or take <c>slotRadius</c> steps — looked like in the previous seasons.
/// </summary>
/// <remarks>
/// Slots follow the clock of the timestamp as given (its <see cref="DateTimeOffset.DateTime"/>), not UTC: pass
/// store-local times so Monday 09:00 lines up with last Monday 09:00 across a daylight-saving change. Values are
/// held as <see cref="float"/> in one ring of <c>seasons × season/step + slotRadius</c> slots (a
/// <see cref="PaletteRing"/>: runs of equal values while they cost less than a byte a slot, as a quiet store's do, then a
/// byte a slot while the ring holds at most 255 distinct values, 4 bytes after that; four weeks of minutes: ~40 or ~160 KB
/// per stream when busy); a slot never written, or left behind by a gap, reads as missing.
/// Not thread-safe.
/// </remarks>
public sealed class SeasonalBaseline
{
    // Scales the median absolute deviation to a standard deviation for normally distributed noise.
    private const double MadToSigma = 1.4826;

    private readonly PaletteRing _ring;
    private readonly long _stepTicks;
    private readonly long _seasonSteps;
    private readonly int _seasons;
    private readonly int _slotRadius;
    private readonly List<double> _samples = [];
    private long _latestStep = long.MinValue;

    public SeasonalBaseline(TimeSpan step, TimeSpan season, int seasons, int slotRadius = 0)
    {
        if (step <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "Must be positive.");
        }

        if (season < step || season.Ticks % step.Ticks != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(season), season, "Must be a whole number of steps.");
        }

        if (seasons < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(seasons), seasons, "Must be at least 1.");
        }

        _seasonSteps = season.Ticks / step.Ticks;
        if (slotRadius < 0 || 2L * slotRadius >= _seasonSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(slotRadius), slotRadius, "Must be at least 0 and less than half a season.");
        }

        var capacity = (seasons * _seasonSteps) + slotRadius + 1;
        if (capacity > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(seasons), seasons, "Too many steps to remember.");
        }

        _ring = new PaletteRing((int)capacity);
        _stepTicks = step.Ticks;
        _seasons = seasons;
        _slotRadius = slotRadius;
        Step = step;
        Season = season;
    }

    private SeasonalBaseline(SeasonalBaseline other)
    {
        _ring = other._ring.Clone();
        _stepTicks = other._stepTicks;
        _seasonSteps = other._seasonSteps;
        _seasons = other._seasons;
        _slotRadius = other._slotRadius;
        _latestStep = other._latestStep;
        Step = other.Step;
        Season = other.Season;
    }

    public TimeSpan Step { get; }

    public TimeSpan Season { get; }

    /// <summary>Previous seasons remembered.</summary>
    internal int Seasons => _seasons;

    /// <summary>Steps either side of the same slot the ring also holds.</summary>
    internal int SlotRadius => _slotRadius;

    /// <summary>The estimate for the slot of <paramref name="at"/> from previous seasons only; null when none has a sample.</summary>
    public SeasonalEstimate? Estimate(DateTimeOffset at) => Estimate(at, _seasons, _slotRadius);

    /// <summary>
    /// The estimate from the first <paramref name="seasons"/> previous seasons, ±<paramref name="slotRadius"/> steps: what a
    /// baseline of those settings fed the same values would say. So two detectors of one stream can share one ring sized
    /// for the larger of their settings: a slot they read is never further back than their own ring would reach, and
    /// within that reach a larger ring holds exactly what the smaller would (bench/README.md, issue 19 pt 4).
    /// </summary>
    internal SeasonalEstimate? Estimate(DateTimeOffset at, int seasons, int slotRadius)
    {
        if (seasons < 1 || seasons > _seasons || slotRadius < 0 || slotRadius > _slotRadius)
        {
            throw new ArgumentOutOfRangeException(nameof(seasons), "Must not reach past what the ring holds.");
        }

        // The length a ring of these settings alone would have: what lies further back it would already have lost.
        var reach = (seasons * _seasonSteps) + slotRadius + 1;
        var step = StepOf(at);
        _samples.Clear();
        var seasonsSeen = 0;
        for (var k = 1; k <= seasons; k++)
        {
            var before = _samples.Count;
            var centre = step - (k * _seasonSteps);
            for (var r = -slotRadius; r <= slotRadius; r++)
            {
                var s = centre + r;

                // A slot still in the ring but newer than the last write (or far older) belongs to another lap.
                if (s > _latestStep || _latestStep - s >= reach)
                {
                    continue;
                }

                var value = _ring[Index(s)];
                if (!float.IsNaN(value))
                {
                    _samples.Add(value);
                }
            }

            if (_samples.Count > before)
            {
                seasonsSeen++;
            }
        }

        if (_samples.Count == 0)
        {
            return null;
        }

        var median = Median(_samples);
        for (var i = 0; i < _samples.Count; i++)
        {
            _samples[i] = Math.Abs(_samples[i] - median);
        }

        var spread = MadToSigma * Median(_samples);
        return new SeasonalEstimate(median, spread, _samples.Count, seasonsSeen);
    }

    /// <summary>Records the value of the step that contains <paramref name="at"/>; a later value for the same step replaces it.</summary>
    public void Add(DateTimeOffset at, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Must be finite.");
        }

        var step = StepOf(at);
        if (_latestStep != long.MinValue && step > _latestStep + 1)
        {
            // Steps skipped by a gap would otherwise still hold the value of a lap ago.
            var skipped = Math.Min(step - _latestStep - 1, _ring.Length);
            for (var s = step - skipped; s < step; s++)
            {
                _ring[Index(s)] = float.NaN;
            }
        }

        if (_latestStep != long.MinValue && _latestStep - step >= _ring.Length)
        {
            // Older than anything remembered: nothing it could be compared with is kept.
            return;
        }

        _ring[Index(step)] = (float)value;
        _latestStep = Math.Max(_latestStep, step);
    }

    /// <summary>Whether the history still costs a byte a slot or less (at most 255 distinct values held).</summary>
    internal bool IsCompact => _ring.IsPaletted;

    /// <summary>Whether the history is still held as runs of equal values (a quiet stream's).</summary>
    internal bool IsRuns => _ring.IsRuns;

    /// <summary>An independent copy that goes on exactly as this one would.</summary>
    internal SeasonalBaseline Clone() => new(this);

    private long StepOf(DateTimeOffset at) => Math.DivRem(at.DateTime.Ticks, _stepTicks).Quotient;

    private int Index(long step) => (int)(((step % _ring.Length) + _ring.Length) % _ring.Length);

    private static double Median(List<double> values)
    {
        values.Sort();
        var n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[(n / 2) - 1] + values[n / 2]) / 2;
    }
}
