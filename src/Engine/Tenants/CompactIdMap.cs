using System.Buffers;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace SalesDash.Engine.Tenants;

/// <summary>
/// An exact map from string ids to a small value and a minute, compact enough for a busy store's 9 days of orders. A string key in a <see cref="Dictionary{TKey,TValue}"/> with an expiry heap beside it cost
/// about 100 bytes per id (two objects, two references, heap slack); here an id is its UTF-8 bytes in an arena plus a
/// few ints, found through its 64-bit hash.
/// </summary>
/// <remarks>
/// Exact, not probabilistic: a hash hit is confirmed by comparing the stored bytes, so two ids that share a hash stay
/// two ids (never a false duplicate, never a lost order). Ids live in one arena per 6 hours of their minute, so expiry
/// drops whole arenas at once and only the one the horizon falls in is scanned entry by entry, keeping expiry exact
/// to the minute as the heaps it replaces were.
/// </remarks>
internal sealed class CompactIdMap<TValue>
    where TValue : struct
{
    private const int Empty = 0;

    private readonly Func<string, ulong> _hash;
    private readonly Dictionary<long, SpanArena> _spans = [];

    // Open addressing with linear probing over entry numbers + 1 (0 is empty); kept at most three quarters full.
    private int[] _table = [];

    // Per entry (struct-of-arrays, so a set of ids pays nothing for values it does not have).
    // The low 32 bits of each id's hash: enough to place it in the table (which stays far below 2^32 slots) and to skip
    // most byte comparisons; the bytes decide.
    // Each column is chunked (see EntryColumn), so a map of 42,800 orders does not sit in arrays grown to 58,800.
    private EntryColumn<uint> _hashes;
    private EntryColumn<int> _offsets;
    private EntryColumn<int> _minutes;
    private EntryColumn<TValue> _values;
    private int _entries;
    private readonly Stack<int> _free = new();

    private long _expiredBefore = long.MinValue;

    /// <summary>A map hashing ids with XxHash3 over their UTF-16 code units.</summary>
    public CompactIdMap()
        : this(static id => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(id.AsSpan())))
    {
    }

    /// <summary>A map with the given hash; tests pass a poor one to prove collisions are told apart.</summary>
    internal CompactIdMap(Func<string, ulong> hash)
    {
        _hash = hash;
    }

    /// <summary>How many ids are held.</summary>
    public int Count { get; private set; }

    /// <summary>Whether the id is held; its minute and value when it is.</summary>
    public bool TryGet(string id, out long minute, out TValue value)
    {
        var entry = Find(id, _hash(id), out _);
        if (entry < 0)
        {
            minute = 0;
            value = default;
            return false;
        }

        minute = _minutes[entry];
        value = _values[entry];
        return true;
    }

    /// <summary>Whether the id is held.</summary>
    public bool Contains(string id) => Find(id, _hash(id), out _) >= 0;

    /// <summary>Adds the id, or moves it to <paramref name="minute"/> with the new value when it is already held.</summary>
    public void Set(string id, long minute, TValue value)
    {
        ArgumentNullException.ThrowIfNull(id);
        var minuteKey = checked((int)minute);
        var hash = _hash(id);
        var entry = Find(id, hash, out _);
        if (entry >= 0)
        {
            if (SpanOf(_minutes[entry]) != SpanOf(minuteKey))
            {
                // The bytes move with the entry so that dropping the old span cannot take them away.
                _offsets[entry] = ArenaFor(SpanOf(minuteKey)).Append(id, entry);
            }

            _minutes[entry] = minuteKey;
            _values[entry] = value;
            return;
        }

        if ((Count + 1) * 4 > _table.Length * 3)
        {
            Grow();
        }

        entry = _free.Count > 0 ? _free.Pop() : NewEntry();
        _hashes[entry] = (uint)hash;
        _minutes[entry] = minuteKey;
        _values[entry] = value;
        _offsets[entry] = ArenaFor(SpanOf(minuteKey)).Append(id, entry);
        Insert(entry);
        Count++;
    }

    /// <summary>Forgets the id; false when it was not held.</summary>
    public bool Remove(string id)
    {
        var entry = Find(id, _hash(id), out var slot);
        if (entry < 0)
        {
            return false;
        }

        RemoveAt(slot, entry);
        return true;
    }

    /// <summary>Forgets every id whose minute is before <paramref name="horizon"/>.</summary>
    public void ExpireBefore(long horizon)
    {
        if (horizon <= _expiredBefore)
        {
            return;
        }

        _expiredBefore = horizon;
        var boundarySpan = SpanOf(horizon);
        List<long>? dropped = null;
        foreach (var (span, arena) in _spans)
        {
            if (span > boundarySpan)
            {
                continue;
            }

            foreach (var (offset, entry) in arena.Records())
            {
                if (IsCurrent(entry, span, offset) && _minutes[entry] < horizon)
                {
                    RemoveAt(SlotOf(entry), entry);
                }
            }

            if (span < boundarySpan)
            {
                (dropped ??= []).Add(span);
            }
        }

        foreach (var span in dropped ?? [])
        {
            _spans.Remove(span);
        }
    }

    /// <summary>Every id held with its minute and value, in no particular order.</summary>
    public IEnumerable<(string Id, long Minute, TValue Value)> Entries()
    {
        foreach (var (span, arena) in _spans)
        {
            foreach (var (offset, entry) in arena.Records())
            {
                if (IsCurrent(entry, span, offset))
                {
                    yield return (arena.Read(offset), _minutes[entry], _values[entry]);
                }
            }
        }
    }

    /// <summary>
    /// The minute and value of every id whose minute is from <paramref name="fromMinute"/> to <paramref name="toMinuteInclusive"/>,
    /// in no particular order, without reading the ids back: only the arenas of those minutes are walked.
    /// </summary>
    public IEnumerable<(long Minute, TValue Value)> ValuesBetween(long fromMinute, long toMinuteInclusive)
    {
        var (fromSpan, toSpan) = (SpanOf(fromMinute), SpanOf(toMinuteInclusive));
        foreach (var (span, arena) in _spans)
        {
            if (span < fromSpan || span > toSpan)
            {
                continue;
            }

            foreach (var (offset, entry) in arena.Records())
            {
                if (IsCurrent(entry, span, offset) && _minutes[entry] >= fromMinute && _minutes[entry] <= toMinuteInclusive)
                {
                    yield return (_minutes[entry], _values[entry]);
                }
            }
        }
    }

    // A record is stale once its entry moved to another span or offset, or was freed (and perhaps reused for another id).
    private bool IsCurrent(int entry, long span, int offset) =>
        _minutes[entry] != int.MinValue && SpanOf(_minutes[entry]) == span && _offsets[entry] == offset;

    // Six hours: a busy store's boundary arena (a quarter day of orders, ~1,800) is scanned in microseconds each minute the
    // horizon moves, and a quiet store's 9 days of orders take 36 arenas rather than one per hour it sold in (each arena
    // costs about 100 bytes before its first id).
    private const int MinutesPerArena = 6 * 60;

    private static long SpanOf(long minute) => Math.DivRem(minute, MinutesPerArena, out var rem) - (rem < 0 ? 1 : 0);

    private SpanArena ArenaFor(long span)
    {
        if (!_spans.TryGetValue(span, out var arena))
        {
            // Ids have moved on to a later span: the earlier arenas stop growing (but for an edit now and then), so they
            // give back the spare room growing by half left them, up to a third of each.
            foreach (var (earlier, held) in _spans)
            {
                if (earlier < span)
                {
                    held.Trim();
                }
            }

            arena = new SpanArena();
            _spans[span] = arena;
        }

        return arena;
    }

    private int Find(string id, ulong hash, out int slot)
    {
        if (_table.Length == 0)
        {
            slot = -1;
            return -1;
        }

        var mask = _table.Length - 1;
        for (slot = (int)(hash & (ulong)mask); _table[slot] != Empty; slot = (slot + 1) & mask)
        {
            var entry = _table[slot] - 1;
            if (_hashes[entry] == (uint)hash && _spans[SpanOf(_minutes[entry])].Matches(_offsets[entry], id))
            {
                return entry;
            }
        }

        return -1;
    }

    private int SlotOf(int entry)
    {
        var mask = _table.Length - 1;
        var slot = (int)(_hashes[entry] & (ulong)mask);
        while (_table[slot] != entry + 1)
        {
            slot = (slot + 1) & mask;
        }

        return slot;
    }

    private void Insert(int entry)
    {
        var mask = _table.Length - 1;
        var slot = (int)(_hashes[entry] & (ulong)mask);
        while (_table[slot] != Empty)
        {
            slot = (slot + 1) & mask;
        }

        _table[slot] = entry + 1;
    }

    private void RemoveAt(int slot, int entry)
    {
        // Backward-shift deletion: later members of the same probe run move up, so no tombstones accumulate.
        var mask = _table.Length - 1;
        _table[slot] = Empty;
        for (var next = (slot + 1) & mask; _table[next] != Empty; next = (next + 1) & mask)
        {
            var home = (int)(_hashes[_table[next] - 1] & (ulong)mask);
            var movable = slot <= next ? home <= slot || home > next : home <= slot && home > next;
            if (movable)
            {
                _table[slot] = _table[next];
                _table[next] = Empty;
                slot = next;
            }
        }

        _minutes[entry] = int.MinValue;
        _values[entry] = default;
        _free.Push(entry);
        Count--;
    }

    private int NewEntry()
    {
        _hashes.Hold(_entries + 1);
        _offsets.Hold(_entries + 1);
        _minutes.Hold(_entries + 1);
        _values.Hold(_entries + 1);
        return _entries++;
    }

    private void Grow()
    {
        _table = new int[Math.Max(16, _table.Length * 2)];
        for (var entry = 0; entry < _entries; entry++)
        {
            if (_minutes[entry] != int.MinValue)
            {
                Insert(entry);
            }
        }
    }

    /// <summary>
    /// One per-entry column in chunks of 1,024 entries, each chunk grown by half up to that size. A single array grown by half
    /// left a busy store's 42,800 orders in arrays of 58,800 (a quarter of 44 bytes an entry unused); here at most part of
    /// the last chunk is, and a quiet store's 180 orders still take one array of about 200.
    /// </summary>
    private struct EntryColumn<T>
    {
        private const int ChunkBits = 10;
        private const int ChunkSize = 1 << ChunkBits;

        private T[][]? _chunks;

        public readonly ref T this[int entry] => ref _chunks![entry >> ChunkBits][entry & (ChunkSize - 1)];

        /// <summary>Makes room for entries 0 to <paramref name="count"/> - 1.</summary>
        public void Hold(int count)
        {
            var chunk = (count - 1) >> ChunkBits;
            var needed = ((count - 1) & (ChunkSize - 1)) + 1;
            if (_chunks is null || chunk >= _chunks.Length)
            {
                Array.Resize(ref _chunks, chunk + 1);
                _chunks[chunk] = [];
            }

            ref var held = ref _chunks[chunk];
            if (held.Length < needed)
            {
                Array.Resize(ref held, Math.Min(ChunkSize, Math.Max(Math.Max(8, needed), held.Length + (held.Length / 2))));
            }
        }
    }

    /// <summary>The ids of one span, back to back: the entry number each was written for, its UTF-8 length, its bytes.</summary>
    private sealed class SpanArena
    {
        // Sized by its first id and grown by half: a quiet store's arena holds a few orders, fewer bytes than a 64-byte start.
        private byte[] _bytes = [];
        private int _length;

        /// <summary>Each record's offset and the entry number it was written for; a caller checks the entry still points here.</summary>
        public IEnumerable<(int Offset, int Entry)> Records()
        {
            for (var offset = 0; offset < _length;)
            {
                var entry = BitConverter.ToInt32(_bytes, offset);
                var next = EndOf(offset);
                yield return (offset, entry);
                offset = next;
            }
        }

        /// <summary>Gives back the room no id uses yet.</summary>
        public void Trim()
        {
            if (_length < _bytes.Length)
            {
                Array.Resize(ref _bytes, _length);
            }
        }

        /// <summary>Appends the id and returns its offset.</summary>
        public int Append(string id, int entry)
        {
            var maxBytes = IdBytes.MaxLength(id);
            var rented = maxBytes <= 256 ? null : ArrayPool<byte>.Shared.Rent(maxBytes);
            try
            {
                Span<byte> buffer = rented is null ? stackalloc byte[maxBytes] : rented;
                var encoded = buffer[..IdBytes.Encode(id, buffer)];
                var needed = _length + 4 + 5 + encoded.Length;
                if (needed > _bytes.Length)
                {
                    // Half again rather than double: arenas of old hours stop growing, so slack would stay for days.
                    Array.Resize(ref _bytes, Math.Max(needed, _bytes.Length + (_bytes.Length / 2)));
                }

                var offset = _length;
                BitConverter.TryWriteBytes(_bytes.AsSpan(_length), entry);
                _length += 4;
                _length += WriteLength(_bytes.AsSpan(_length), encoded.Length);
                encoded.CopyTo(_bytes.AsSpan(_length));
                _length += encoded.Length;
                return offset;
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }

        public bool Matches(int offset, string id)
        {
            var maxBytes = IdBytes.MaxLength(id);
            var rented = maxBytes <= 256 ? null : ArrayPool<byte>.Shared.Rent(maxBytes);
            try
            {
                Span<byte> buffer = rented is null ? stackalloc byte[maxBytes] : rented;
                return Stored(offset).SequenceEqual(buffer[..IdBytes.Encode(id, buffer)]);
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }

        public string Read(int offset) => IdBytes.Decode(Stored(offset));

        private ReadOnlySpan<byte> Stored(int offset) => Stored(offset, out _);

        private int EndOf(int offset)
        {
            Stored(offset, out var end);
            return end;
        }

        private ReadOnlySpan<byte> Stored(int offset, out int end)
        {
            var position = offset + 4;
            var length = 0;
            var shift = 0;
            byte b;
            do
            {
                b = _bytes[position++];
                length |= (b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);

            end = position + length;
            return _bytes.AsSpan(position, length);
        }

        private static int WriteLength(Span<byte> target, int length)
        {
            var written = 0;
            var value = (uint)length;
            while (value >= 0x80)
            {
                target[written++] = (byte)(value | 0x80);
                value >>= 7;
            }

            target[written++] = (byte)value;
            return written;
        }
    }
}

/// <summary>
/// A reversible, shorter byte form of an id: runs of four or more lower-case hex digits (decimal digits included) take
/// half a byte each. Platform ids are mostly such runs (Shopify's webhook UUIDs 36 → 25 bytes, 13-digit order ids 13 →
/// 8), and the form decodes to the same string, so comparing forms is comparing ids: exactness is unchanged.
/// </summary>
internal static class IdBytes
{
    private const byte Raw = 0xFF;
    private const int MinRun = 4;
    private const int MaxRun = 126;

    /// <summary>An upper bound on the encoded length.</summary>
    public static int MaxLength(string id) => Encoding.UTF8.GetMaxByteCount(id.Length) + 1;

    /// <summary>Writes the id's form into <paramref name="target"/> (at least <see cref="MaxLength"/> long) and returns its length.</summary>
    public static int Encode(string id, Span<byte> target)
    {
        foreach (var c in id)
        {
            if (c >= 0x80)
            {
                // Not ASCII: stored as UTF-8 behind a marker no packed form starts with.
                target[0] = Raw;
                return 1 + Encoding.UTF8.GetBytes(id, target[1..]);
            }
        }

        var written = 0;
        for (var i = 0; i < id.Length;)
        {
            var run = 0;
            while (run < MaxRun && i + run < id.Length && IsHexDigit(id[i + run]))
            {
                run++;
            }

            if (run < MinRun)
            {
                target[written++] = (byte)id[i++];
                continue;
            }

            target[written++] = (byte)(0x80 | run);
            for (var k = 0; k < run; k += 2)
            {
                var high = Nibble(id[i + k]);
                var low = k + 1 < run ? Nibble(id[i + k + 1]) : 0;
                target[written++] = (byte)((high << 4) | low);
            }

            i += run;
        }

        return written;
    }

    /// <summary>The id a form was written from.</summary>
    public static string Decode(ReadOnlySpan<byte> form)
    {
        if (form.Length > 0 && form[0] == Raw)
        {
            return Encoding.UTF8.GetString(form[1..]);
        }

        var text = new StringBuilder(form.Length * 2);
        for (var i = 0; i < form.Length;)
        {
            var b = form[i++];
            if (b < 0x80)
            {
                text.Append((char)b);
                continue;
            }

            var run = b & 0x7F;
            for (var k = 0; k < run; k++)
            {
                var packed = form[i + (k / 2)];
                text.Append(HexDigit(k % 2 == 0 ? packed >> 4 : packed & 0xF));
            }

            i += (run + 1) / 2;
        }

        return text.ToString();
    }

    private static bool IsHexDigit(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f');

    private static int Nibble(char c) => c <= '9' ? c - '0' : c - 'a' + 10;

    private static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
