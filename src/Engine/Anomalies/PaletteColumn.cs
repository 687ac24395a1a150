using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace SalesDash.Engine.Anomalies;

/// <summary>How a <see cref="PaletteColumn{T, TMatch}"/> tells that two values are the same one.</summary>
internal interface IPaletteMatch<in T>
{
    static abstract bool Same(T a, T b);
}

/// <summary>Values matched by their bits (a double's, so -0 stays -0 and a NaN keeps its payload).</summary>
internal readonly struct ByBits : IPaletteMatch<long>
{
    public static bool Same(long a, long b) => a == b;
}

/// <summary>Objects matched by identity, so a slot reads back the very object set and not an equal one.</summary>
internal readonly struct ByReference : IPaletteMatch<object>
{
    public static bool Same(object a, object b) => ReferenceEquals(a, b);
}

/// <summary>
/// Values in at most <see cref="MaxSlots"/> slots, a byte code a slot into a palette of the distinct values held, with a
/// count per value so a value no slot holds any more frees its entry; each slot's value itself once the palette would
/// cost more, and a palette again once a lap of writes finds the values held few.
/// </summary>
/// <remarks>
/// The one palette of the kept minutes' columns: <see cref="PalettedColumn"/> (doubles by their bits) and
/// <see cref="ReferenceColumn{T}"/> (objects by identity). The match is a type argument so the search loop calls it
/// directly. Not thread-safe.
/// </remarks>
internal abstract class PaletteColumn<T, TMatch>
    where T : notnull
    where TMatch : struct, IPaletteMatch<T>
{
    /// <summary>Codes are bytes and 0 means unset: no column of more slots could be sure of a code per value.</summary>
    public const int MaxSlots = 255;

    // A palette entry and its count against the slot's own value: past that point the column keeps the values.
    private static readonly int EntryBytes = Unsafe.SizeOf<T>() + sizeof(byte);

    // The slots' codes while paletted; let go while plain (a bit a slot in _set says as much then).
    private byte[] _codes;
    private T[] _palette = new T[2];
    private byte[] _counts = new byte[2];
    private int _used;

    // Each slot's value once the palette would cost more than they do, and which slots are set; null before.
    private T[]? _plain;
    private ulong[]? _set;

    // Writes since the palette was last fitted to what the slots hold.
    private int _writes;

    protected PaletteColumn(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slots, MaxSlots);
        _codes = new byte[slots];
    }

    protected PaletteColumn(PaletteColumn<T, TMatch> other)
    {
        _codes = (byte[])other._codes.Clone();
        _palette = (T[])other._palette.Clone();
        _counts = (byte[])other._counts.Clone();
        _used = other._used;
        _plain = (T[]?)other._plain?.Clone();
        _set = (ulong[]?)other._set?.Clone();
        _writes = other._writes;
    }

    /// <summary>Whether the column keeps each slot's value rather than a code into a palette.</summary>
    internal bool IsPlain => _plain is not null;

    /// <summary>Entries the palette has room for; 0 while plain.</summary>
    internal int PaletteSize => _palette.Length;

    // The slots' count is not a field of its own: the codes have one a slot, or the plain values do.
    private int Slots => _plain?.Length ?? _codes.Length;

    public void Clear()
    {
        var slots = Slots;
        _codes = _codes.Length == slots ? _codes : new byte[slots];
        Array.Clear(_codes);
        _palette = new T[2];
        _counts = new byte[2];
        _used = 0;
        _plain = null;
        _set = null;
        _writes = 0;
    }

    protected bool TryGet(int slot, [MaybeNullWhen(false)] out T value)
    {
        if (_plain is { } plain)
        {
            value = plain[slot];
            return (_set![slot >> 6] & (1UL << slot)) != 0;
        }

        if (_codes[slot] is var code and > 0)
        {
            value = _palette[code - 1];
            return true;
        }

        value = default;
        return false;
    }

    protected void Write(int slot, T value)
    {
        CountWrite();
        if (_plain is { } plain)
        {
            plain[slot] = value;
            _set![slot >> 6] |= 1UL << slot;
            return;
        }

        if (_codes[slot] is var old and > 0)
        {
            if (TMatch.Same(_palette[old - 1], value))
            {
                return;
            }

            Release(old);
        }

        // Most writes repeat a value held: find it, else reuse a freed entry, else grow.
        var free = -1;
        for (var i = 0; i < _used; i++)
        {
            if (_counts[i] > 0 && TMatch.Same(_palette[i], value))
            {
                _counts[i]++;
                _codes[slot] = (byte)(i + 1);
                return;
            }

            if (_counts[i] == 0 && free < 0)
            {
                free = i;
            }
        }

        if (free < 0)
        {
            if (_used == _palette.Length)
            {
                var grown = Math.Min(_palette.Length * 2, MaxSlots);

                // A column of mostly distinct values (a band's edge, a busy store's figures) would hold a palette entry
                // and a count per slot, more than the slots' own values.
                if (grown * EntryBytes >= _codes.Length * Unsafe.SizeOf<T>())
                {
                    ToPlain(slot, value);
                    return;
                }

                Array.Resize(ref _palette, grown);
                Array.Resize(ref _counts, _palette.Length);
            }

            free = _used++;
        }

        _palette[free] = value;
        _counts[free] = 1;
        _codes[slot] = (byte)(free + 1);
    }

    protected void Erase(int slot)
    {
        CountWrite();
        if (_plain is { } plain)
        {
            // Let an object go with the slot.
            plain[slot] = default!;
            _set![slot >> 6] &= ~(1UL << slot);
            return;
        }

        if (_codes[slot] is var old and > 0)
        {
            Release(old);
            _codes[slot] = 0;
        }
    }

    private void Release(byte code)
    {
        if (--_counts[code - 1] == 0)
        {
            // Let an object go with the last slot that held it.
            _palette[code - 1] = default!;
        }
    }

    private void CountWrite()
    {
        if (++_writes >= Slots)
        {
            _writes = 0;
            Refit();
        }
    }

    // Once a lap of writes: a palette only grows and plain values stay plain, so a monitor's replay, whose first days'
    // bands are all distinct, left a quiet store's columns plain (or their palettes at 128) for good, though the minutes
    // kept now hold a handful of values. Fit the palette to the values held: back from plain well below the point where
    // it went plain (so a column near it does not flip each lap), or a smaller palette.
    private void Refit()
    {
        if (_plain is null)
        {
            Shrink();
        }
        else
        {
            FromPlain(_plain);
        }
    }

    // The live entries are the distinct values held: move them to the front of a palette of the size they need.
    private void Shrink()
    {
        var live = 0;
        for (var i = 0; i < _used; i++)
        {
            live += _counts[i] > 0 ? 1 : 0;
        }

        var size = Math.Max(2, (int)BitOperations.RoundUpToPowerOf2((uint)live));
        if (size >= _palette.Length)
        {
            return;
        }

        Span<byte> moved = stackalloc byte[MaxSlots + 1];
        // Unset slots stay unset.
        moved[0] = 0;
        var palette = new T[size];
        var counts = new byte[size];
        var next = 0;
        for (var i = 0; i < _used; i++)
        {
            if (_counts[i] > 0)
            {
                palette[next] = _palette[i];
                counts[next] = _counts[i];
                moved[i + 1] = (byte)++next;
            }
        }

        for (var i = 0; i < _codes.Length; i++)
        {
            _codes[i] = moved[_codes[i]];
        }

        _palette = palette;
        _counts = counts;
        _used = live;
    }

    // Codes for the plain values if their distinct ones are few enough; the search gives up past that many.
    private void FromPlain(T[] plain)
    {
        var slots = plain.Length;
        var most = 2;
        while (2 * (most * 2) * EntryBytes <= slots * Unsafe.SizeOf<T>() && most * 2 <= MaxSlots)
        {
            most *= 2;
        }

        if (2 * most * EntryBytes > slots * Unsafe.SizeOf<T>())
        {
            return;
        }

        // A code a slot, and the first slot that holds each distinct value.
        Span<byte> codes = stackalloc byte[slots];
        Span<byte> firsts = stackalloc byte[most];
        var distinct = 0;
        for (var i = 0; i < slots; i++)
        {
            codes[i] = 0;
            if ((_set![i >> 6] & (1UL << i)) == 0)
            {
                continue;
            }

            var found = 0;
            for (var k = 0; k < distinct; k++)
            {
                if (TMatch.Same(plain[firsts[k]], plain[i]))
                {
                    found = k + 1;
                    break;
                }
            }

            if (found == 0)
            {
                if (distinct == most)
                {
                    return;
                }

                firsts[distinct++] = (byte)i;
                found = distinct;
            }

            codes[i] = (byte)found;
        }

        var size = Math.Max(2, (int)BitOperations.RoundUpToPowerOf2((uint)distinct));
        var palette = new T[size];
        var counts = new byte[size];
        for (var k = 0; k < distinct; k++)
        {
            palette[k] = plain[firsts[k]];
        }

        foreach (var code in codes)
        {
            if (code > 0)
            {
                counts[code - 1]++;
            }
        }

        _codes = codes.ToArray();
        _palette = palette;
        _counts = counts;
        _used = distinct;
        _plain = null;
        _set = null;
    }

    // The slot at `slot` was released (if it held a value) and takes `value`, which the palette has no room for.
    private void ToPlain(int slot, T value)
    {
        var slots = _codes.Length;
        var plain = new T[slots];
        var set = new ulong[(slots + 63) / 64];
        for (var i = 0; i < slots; i++)
        {
            if (_codes[i] > 0 && i != slot)
            {
                plain[i] = _palette[_codes[i] - 1];
                set[i >> 6] |= 1UL << i;
            }
        }

        plain[slot] = value;
        set[slot >> 6] |= 1UL << slot;
        _plain = plain;
        _set = set;
        _codes = [];
        _palette = [];
        _counts = [];
        _used = 0;
    }
}

/// <summary>
/// Doubles in at most <see cref="PaletteColumn{T, TMatch}.MaxSlots"/> slots, paletted by their bits (so -0 stays -0).
/// </summary>
internal sealed class PalettedColumn : PaletteColumn<long, ByBits>
{
    public PalettedColumn(int slots)
        : base(slots)
    {
    }

    private PalettedColumn(PalettedColumn other)
        : base(other)
    {
    }

    public double this[int slot] => TryGet(slot, out var bits)
        ? BitConverter.Int64BitsToDouble(bits)
        : throw new InvalidOperationException("The slot holds no value.");

    /// <summary>An independent copy that goes on exactly as this one would.</summary>
    public PalettedColumn Clone() => new(this);

    public void Set(int slot, double value) => Write(slot, BitConverter.DoubleToInt64Bits(value));
}

/// <summary>
/// References in at most <see cref="PaletteColumn{T, TMatch}.MaxSlots"/> slots, paletted by identity (so a slot reads back
/// the very object set); null is an unset slot.
/// </summary>
internal sealed class ReferenceColumn<T>(int slots) : PaletteColumn<object, ByReference>(slots)
    where T : class
{
    public T? this[int slot]
    {
        // Only Ts are ever set.
        get => TryGet(slot, out var value) ? Unsafe.As<T>(value) : null;
        set
        {
            if (value is null)
            {
                Erase(slot);
            }
            else
            {
                Write(slot, value);
            }
        }
    }
}
