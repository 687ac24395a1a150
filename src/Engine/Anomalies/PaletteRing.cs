namespace SalesDash.Engine.Anomalies;

/// <summary>
/// A fixed number of <see cref="float"/> slots (NaN until written) held as runs of equal values while runs cost less
/// than a byte a slot, then as a byte a slot while the slots hold at most 255 distinct values, and four bytes a slot
/// after that. Reads give back exactly the bits written.
/// </summary>
/// <remarks>
/// A quiet store's seasonal history is mostly the same few values: a 15-minute window of 20 orders a day is zero most
/// of the day, and between orders every sum repeats for a quarter of an hour. So ~20 orders a day are ~120 runs over
/// three days of minutes, 6 bytes each (start and value), instead of 4,320 byte codes. A stream busy enough that runs
/// would cost more than a byte a slot (a run every few slots) moves once to codes into a palette of the distinct values
/// held, with a count per value so a value no slot holds any more frees its code; one that needs more codes than a byte
/// moves on to plain floats. It never moves back: the memory then follows the traffic, and no value is ever rounded to
/// fit. Values are matched by their bits, so -0 and 0 (and each infinity) stay themselves; every NaN reads back as
/// <see cref="float.NaN"/>. Not thread-safe.
/// </remarks>
internal sealed class PaletteRing
{
    private const int MaxCodes = 255;

    // A run costs a ushort start and a float value; past a sixth of the slots' count, runs cost more than byte codes.
    private const int RunBytes = sizeof(ushort) + sizeof(float);

    // Run i covers slots [_runStarts[i], _runStarts[i + 1]) (the last one up to Length) and holds _runValues[i];
    // neighbouring runs hold different bits, and run 0 starts at 0. Null once the ring moved to codes.
    private ushort[]? _runStarts;
    private float[]? _runValues;
    private int _runCount;

    // The run the last read or write found: the seasonal median reads a few neighbouring slots in a row.
    private int _runHint;

    // Code 0 is NaN (never written, or cleared); codes 1.. index the palette.
    private byte[]? _codes;
    private float[] _palette = [];
    private int[] _counts = [];
    private int _paletteUsed;
    private readonly Stack<byte> _freeCodes = new();

    // Set once the palette overflowed; then _codes is null.
    private float[]? _values;

    public PaletteRing(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        Length = length;

        // Starts must fit a ushort, and a ring too short to hold a few runs for the price of its codes starts as codes.
        if (length <= ushort.MaxValue + 1 && MaxRuns(length) >= 4)
        {
            _runStarts = new ushort[4];
            _runValues = new float[4];
            _runValues[0] = float.NaN;
            _runCount = 1;
        }
        else
        {
            _codes = new byte[length];
        }
    }

    public int Length { get; }

    /// <summary>Whether every distinct value fits a byte code or less (false once the ring holds plain floats).</summary>
    internal bool IsPaletted => _values is null;

    /// <summary>Whether the slots are still held as runs of equal values.</summary>
    internal bool IsRuns => _runStarts is not null;

    public float this[int index]
    {
        get
        {
            if (_runValues is { } runValues)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(index);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
                return runValues[RunOf(index)];
            }

            if (_codes is { } codes)
            {
                var code = codes[index];
                return code == 0 ? float.NaN : _palette[code - 1];
            }

            return _values![index];
        }

        set
        {
            if (_runStarts is not null)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(index);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
                if (SetRun(index, value))
                {
                    return;
                }

                RunsToCodes();
                if (_values is { } floats)
                {
                    floats[index] = value;
                    return;
                }
            }

            if (_codes is not { } codes)
            {
                _values![index] = value;
                return;
            }

            var code = CodeOf(value);
            if (code < 0)
            {
                ToFloats();
                _values![index] = value;
                return;
            }

            var old = codes[index];
            if (old == code)
            {
                // The new code was counted for this write; the slot already held it.
                Release((byte)code);
                return;
            }

            codes[index] = (byte)code;
            Release(old);
        }
    }

    /// <summary>A copy with the same slots.</summary>
    public PaletteRing Clone()
    {
        var copy = new PaletteRing(Length, codes: null);
        if (_runStarts is { } runStarts)
        {
            copy._runStarts = (ushort[])runStarts.Clone();
            copy._runValues = (float[])_runValues!.Clone();
            copy._runCount = _runCount;
        }
        else if (_codes is { } codes)
        {
            copy._codes = (byte[])codes.Clone();
            copy._palette = (float[])_palette.Clone();
            copy._counts = (int[])_counts.Clone();
            copy._paletteUsed = _paletteUsed;
            foreach (var free in _freeCodes.Reverse())
            {
                copy._freeCodes.Push(free);
            }
        }
        else
        {
            copy._values = (float[])_values!.Clone();
        }

        return copy;
    }

    private PaletteRing(int length, byte[]? codes)
    {
        Length = length;
        _codes = codes;
    }

    // Runs pay while they cost less than a byte a slot.
    private static int MaxRuns(int length) => length / RunBytes;

    // The run that covers the slot: the hint or its successor when the reads walk along, else a binary search.
    private int RunOf(int index)
    {
        var starts = _runStarts!;
        var count = _runCount;
        var hint = _runHint;
        if (hint < count && starts[hint] <= index)
        {
            if (hint + 1 == count || index < starts[hint + 1])
            {
                return hint;
            }

            if (hint + 2 == count || index < starts[hint + 2])
            {
                return _runHint = hint + 1;
            }
        }

        var found = starts.AsSpan(0, count).BinarySearch((ushort)index);
        return _runHint = found >= 0 ? found : ~found - 1;
    }

    // Writes the slot as runs; false (nothing changed) when that would take more runs than pay.
    private bool SetRun(int index, float value)
    {
        if (float.IsNaN(value))
        {
            value = float.NaN;
        }

        var bits = BitConverter.SingleToInt32Bits(value);
        var run = RunOf(index);
        var starts = _runStarts!;
        var values = _runValues!;
        if (BitConverter.SingleToInt32Bits(values[run]) == bits)
        {
            return true;
        }

        var start = starts[run];
        var end = run + 1 < _runCount ? starts[run + 1] : Length;
        var joinsPrevious = index == start && run > 0 && BitConverter.SingleToInt32Bits(values[run - 1]) == bits;
        var joinsNext = index == end - 1 && run + 1 < _runCount && BitConverter.SingleToInt32Bits(values[run + 1]) == bits;
        if (start == end - 1)
        {
            // The run is this one slot: it takes the value, and merges with a neighbour that holds it.
            values[run] = value;
            if (joinsNext)
            {
                RemoveRun(run + 1);
            }

            if (joinsPrevious)
            {
                RemoveRun(run);
            }

            return true;
        }

        if (joinsPrevious)
        {
            starts[run] = (ushort)(index + 1);
            return true;
        }

        if (joinsNext)
        {
            starts[run + 1] = (ushort)index;
            return true;
        }

        if (index == start)
        {
            // The slot leads the run: a run of its own before the rest.
            if (!InsertRuns(run, 1))
            {
                return false;
            }

            _runValues![run] = value;
            _runStarts![run + 1] = (ushort)(index + 1);
            return true;
        }

        if (index == end - 1)
        {
            if (!InsertRuns(run + 1, 1))
            {
                return false;
            }

            _runStarts![run + 1] = (ushort)index;
            _runValues![run + 1] = value;
            return true;
        }

        // Inside the run: it splits around a run of one slot.
        var old = values[run];
        if (!InsertRuns(run + 1, 2))
        {
            return false;
        }

        _runStarts![run + 1] = (ushort)index;
        _runValues![run + 1] = value;
        _runStarts[run + 2] = (ushort)(index + 1);
        _runValues[run + 2] = old;
        return true;
    }

    // Opens room for `added` runs at `at` (their starts and values still to be written); false when past what pays.
    private bool InsertRuns(int at, int added)
    {
        var count = _runCount + added;
        var max = MaxRuns(Length);
        if (count > max)
        {
            return false;
        }

        if (count > _runStarts!.Length)
        {
            var grown = Math.Min(max, Math.Max(count, _runStarts.Length * 2));
            Array.Resize(ref _runStarts, grown);
            Array.Resize(ref _runValues, grown);
        }

        Array.Copy(_runStarts, at, _runStarts, at + added, _runCount - at);
        Array.Copy(_runValues!, at, _runValues!, at + added, _runCount - at);
        _runCount = count;
        return true;
    }

    private void RemoveRun(int at)
    {
        Array.Copy(_runStarts!, at + 1, _runStarts!, at, _runCount - at - 1);
        Array.Copy(_runValues!, at + 1, _runValues!, at, _runCount - at - 1);
        _runCount--;
        _runHint = 0;
    }

    // Moves the runs to a code a slot, or to floats if they hold more distinct values than a byte codes.
    private void RunsToCodes()
    {
        var starts = _runStarts!;
        var values = _runValues!;
        var count = _runCount;
        _runStarts = null;
        _runValues = null;
        _runCount = 0;
        _runHint = 0;
        _codes = new byte[Length];
        for (var run = 0; run < count; run++)
        {
            var start = starts[run];
            var end = run + 1 < count ? starts[run + 1] : Length;
            var code = CodeOf(values[run]);
            if (code < 0)
            {
                var floats = new float[Length];
                for (var r = 0; r < count; r++)
                {
                    floats.AsSpan(starts[r], (r + 1 < count ? starts[r + 1] : Length) - starts[r]).Fill(values[r]);
                }

                _codes = null;
                _palette = [];
                _counts = [];
                _paletteUsed = 0;
                _freeCodes.Clear();
                _values = floats;
                return;
            }

            if (code > 0)
            {
                _counts[code - 1] += end - start - 1;
                _codes.AsSpan(start, end - start).Fill((byte)code);
            }
        }
    }

    // The code that holds the value, counted once more; a new code when none does; -1 when the palette is full.
    private int CodeOf(float value)
    {
        if (float.IsNaN(value))
        {
            return 0;
        }

        var bits = BitConverter.SingleToInt32Bits(value);
        for (var i = 0; i < _paletteUsed; i++)
        {
            if (_counts[i] > 0 && BitConverter.SingleToInt32Bits(_palette[i]) == bits)
            {
                _counts[i]++;
                return i + 1;
            }
        }

        int slot;
        if (_freeCodes.Count > 0)
        {
            slot = _freeCodes.Pop() - 1;
        }
        else if (_paletteUsed < MaxCodes)
        {
            if (_paletteUsed == _palette.Length)
            {
                var grown = Math.Min(MaxCodes, Math.Max(4, _palette.Length * 2));
                Array.Resize(ref _palette, grown);
                Array.Resize(ref _counts, grown);
            }

            slot = _paletteUsed++;
        }
        else
        {
            return -1;
        }

        _palette[slot] = value;
        _counts[slot] = 1;
        return slot + 1;
    }

    private void Release(byte code)
    {
        if (code == 0)
        {
            return;
        }

        if (--_counts[code - 1] == 0)
        {
            _freeCodes.Push(code);
        }
    }

    private void ToFloats()
    {
        var codes = _codes!;
        var values = new float[Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = codes[i] == 0 ? float.NaN : _palette[codes[i] - 1];
        }

        _values = values;
        _codes = null;
        _palette = [];
        _counts = [];
        _paletteUsed = 0;
        _freeCodes.Clear();
    }
}
