namespace SalesDash.Engine.Anomalies;

/// <summary>
/// A fixed number of <see cref="float"/> slots (NaN until written) that costs a byte a slot while the slots hold at
/// most 255 distinct values, and four bytes a slot after that. Reads give back exactly the bits written.
/// </summary>
/// <remarks>
/// A quiet store's seasonal history is mostly the same few values: a 15-minute window of 20 orders a day is zero most
/// of the day, and between orders every sum repeats for a quarter of an hour. So each slot holds a code into a palette of
/// the distinct values held, with a count per value so a value no slot holds any more frees its code. A busy stream that
/// needs more codes than a byte moves to plain floats once and stays there: the memory then follows the traffic, and
/// no value is ever rounded to fit. Values are matched by their bits, so -0 and 0 (and each infinity) stay themselves.
/// Not thread-safe.
/// </remarks>
internal sealed class PaletteRing
{
    private const int MaxCodes = 255;

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
        _codes = new byte[length];
    }

    public int Length { get; }

    /// <summary>Whether every distinct value fits a byte code (false once the ring holds plain floats).</summary>
    internal bool IsPaletted => _codes is not null;

    public float this[int index]
    {
        get
        {
            if (_codes is { } codes)
            {
                var code = codes[index];
                return code == 0 ? float.NaN : _palette[code - 1];
            }

            return _values![index];
        }

        set
        {
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
        if (_codes is { } codes)
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
