using SalesDash.Engine.Anomalies;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>
/// The seasonal baseline as it was before its ring was paletted (one float per slot), kept as the oracle the
/// paletted one must match bit for bit. Otherwise unchanged: remembers a stream's recent seasons (e.g. four weeks of minutes) and tells what the same slot — same minute of
/// the week, give or take <c>slotRadius</c> steps — looked like in the previous seasons.
/// </summary>
/// <remarks>
/// Slots follow the clock of the timestamp as given (its <see cref="DateTimeOffset.DateTime"/>), not UTC: pass
/// store-local times so Monday 09:00 lines up with last Monday 09:00 across a daylight-saving change. Values are
/// held as <see cref="float"/> in one ring of <c>seasons × season/step + slotRadius</c> slots, 4 bytes each
/// (four weeks of minutes: ~160 KB per stream); a slot never written, or left behind by a gap, reads as missing.
/// Not thread-safe.
/// </remarks>
internal sealed class FloatRingSeasonalBaseline
{
    // Scales the median absolute deviation to a standard deviation for normally distributed noise.
    private const double MadToSigma = 1.4826;

    private readonly float[] _ring;
    private readonly long _stepTicks;
    private readonly long _seasonSteps;
    private readonly int _seasons;
    private readonly int _slotRadius;
    private readonly List<double> _samples = [];
    private long _latestStep = long.MinValue;

    public FloatRingSeasonalBaseline(TimeSpan step, TimeSpan season, int seasons, int slotRadius = 0)
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

        _ring = new float[capacity];
        Array.Fill(_ring, float.NaN);
        _stepTicks = step.Ticks;
        _seasons = seasons;
        _slotRadius = slotRadius;
        Step = step;
        Season = season;
    }

    public TimeSpan Step { get; }

    public TimeSpan Season { get; }

    /// <summary>The estimate for the slot of <paramref name="at"/> from previous seasons only; null when none has a sample.</summary>
    public SeasonalEstimate? Estimate(DateTimeOffset at)
    {
        var step = StepOf(at);
        _samples.Clear();
        var seasonsSeen = 0;
        for (var k = 1; k <= _seasons; k++)
        {
            var before = _samples.Count;
            var centre = step - (k * _seasonSteps);
            for (var r = -_slotRadius; r <= _slotRadius; r++)
            {
                var s = centre + r;

                // A slot still in the ring but newer than the last write (or far older) belongs to another lap.
                if (s > _latestStep || _latestStep - s >= _ring.Length)
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

    private long StepOf(DateTimeOffset at) => Math.DivRem(at.DateTime.Ticks, _stepTicks).Quotient;

    private int Index(long step) => (int)(((step % _ring.Length) + _ring.Length) % _ring.Length);

    private static double Median(List<double> values)
    {
        values.Sort();
        var n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[(n / 2) - 1] + values[n / 2]) / 2;
    }
}
