using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace SalesDash.Engine.Tenants;

/// <summary>
/// The event ids a store has counted in the last 72 hours, so a retried delivery counts once: each id as a 16-byte key
/// held inline in one open-addressing table, with the minute that drives its expiry in 2 bytes. A busy store holds about
/// 110,000.
/// </summary>
/// <remarks>
/// <para>
/// A key is the id itself whenever its packed form (<see cref="IdBytes"/>) fits in 15 bytes: short ids, 13-digit order
/// ids, "ga:…" session numbers. Those are exact: two different ids never share a key. A longer id (Shopify's 36-character
/// webhook UUIDs, 25 bytes packed) is held as a 127-bit XxHash128 fingerprint of its text; the top bit of a key tells the
/// two kinds apart, so a fingerprint never equals an exact key. Two different long ids share a fingerprint with
/// probability 2⁻¹²⁷ per pair: for the busy store's 110,000 ids held at once, about n²/2¹²⁸ = 3.6 × 10⁻²⁹, and a new id
/// is mistaken for a held one with probability 110,000 / 2¹²⁷ = 6.5 × 10⁻³⁴. A billion stores each doing that a billion
/// times stays below 10⁻¹⁵. The bytes kept before cost 40–60 bytes per id; a key costs 16 plus its minute.
/// </para>
/// <para>
/// Expiry is exact to the minute but lazy: an id whose minute is before the horizon is absent to every lookup at once,
/// and its slot is reclaimed by a sweep once an hour of event time (or when the table would grow), so that moving the
/// horizon a minute never walks the table. Counts per minute keep <see cref="Count"/> exact in between.
/// </para>
/// <para>
/// A slot holds its minute as 2 bytes after a base minute, the horizon when the table was last rebuilt: ids live 72 hours
/// (4,320 minutes) and the table is rebuilt once an hour of event time, so every id fits 65,535 minutes with room to
/// spare, and a slot is 18 bytes rather than 20 (about 0.28 MiB of a busy store's 2.8). A minute that does not fit (an
/// id older than the base, held before any horizon; a table used without expiry) is held exactly all the same, in a
/// dictionary beside the table that the next rebuild empties of what then fits.
/// </para>
/// </remarks>
internal sealed class SeenEventIds
{
    private const int MaxExactLength = 15;
    private const byte ExactTag = 0x80;

    // A full table is rebuilt at 60% (a probe run stays short below 85% with linear probing), so it is 60–85% full
    // while it grows; a doubling table would be 43–85%. The hourly sweep keeps the size unless the store went quiet.
    private const double MostFull = 0.85;
    private const double RebuiltFull = 0.6;
    private const double LeastFull = 0.3;

    // A slot's minute that is not base + its 2 bytes: it is in _far.
    private const ushort Far = ushort.MaxValue;

    private readonly bool _oneHome;
    // How many ids each minute holds, sorted by minute: 8 bytes a minute, where a dictionary entry took about 28. Ids
    // arrive roughly in time order and expire from the oldest, so both ends are where the arrays change.
    private int[] _countedMinutes = [];
    private int[] _counts = [];
    private int _minutesCounted;
    private Slot[] _slots = [];
    private int _occupied;
    private long _horizon = long.MinValue;
    private long _sweptAt = long.MinValue;

    // The minute a slot's 2 bytes count from, and the minutes of slots that do not fit them (see the remarks).
    private long _base;
    private Dictionary<UInt128, long>? _far;

    public SeenEventIds()
        : this(oneHome: false)
    {
    }

    /// <summary>A set that places every id in the same slot run; tests use it to prove a lookup depends on the whole key.</summary>
    internal SeenEventIds(bool oneHome)
    {
        _oneHome = oneHome;
    }

    /// <summary>How many ids are held at or after the horizon.</summary>
    public int Count { get; private set; }

    // The last id asked about and its key. A fold asks about each event's id three times in a row (Contains when it
    // decides, TryGetMinute and Set when it remembers); encoding the id was a third of the entity's work a record. Keyed
    // by the string instance, not its text: a string never changes, so the same instance always has the same key.
    private string? _lastId;
    private UInt128 _lastKey;

    /// <summary>Whether the id is held.</summary>
    public bool Contains(string id) => Find(KeyOfLast(id), out _) is { } slot && IsLive(_slots[slot]);

    /// <summary>The minute the id is held at; false when it is not held.</summary>
    public bool TryGetMinute(string id, out long minute)
    {
        if (Find(KeyOfLast(id), out _) is { } slot && IsLive(_slots[slot]))
        {
            minute = MinuteOf(_slots[slot]);
            return true;
        }

        minute = 0;
        return false;
    }

    /// <summary>Holds the id at <paramref name="minute"/>, moving it there when it is already held.</summary>
    public void Set(string id, long minute) => Set(KeyOfLast(id), minute);

    /// <summary><see cref="KeyOf"/>, encoded once for the same id asked about again.</summary>
    private UInt128 KeyOfLast(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!ReferenceEquals(id, _lastId))
        {
            _lastKey = KeyOf(id);
            _lastId = id;
        }

        return _lastKey;
    }

    /// <summary>Holds a key written by <see cref="Entries"/>; a restored fingerprint is as good as its id.</summary>
    public void Set(UInt128 key, long minute)
    {
        // An id older than the horizon when it arrives is held until the horizon next moves, as the map of ids held
        // before did: a retry arriving at once is still refused.
        var minuteKey = checked((int)Math.Max(minute, _horizon));

        if (Find(key, out var free) is { } slot)
        {
            ref var held = ref _slots[slot];
            if (IsLive(held))
            {
                Uncount((int)MinuteOf(held));
            }

            held.Offset = Encode(key, minuteKey);
            CountIn(minuteKey);
            return;
        }

        if ((_occupied + 1) > _slots.Length * MostFull)
        {
            Rebuild(grow: true, minuteKey);
            Find(key, out free);
        }

        _slots[free] = new Slot(key, Encode(key, minuteKey));
        _occupied++;
        CountIn(minuteKey);
    }

    /// <summary>Forgets every id whose minute is before <paramref name="horizon"/>.</summary>
    public void ExpireBefore(long horizon)
    {
        if (horizon <= _horizon)
        {
            return;
        }

        var expired = MinuteIndex((int)Math.Clamp(horizon, int.MinValue, int.MaxValue));
        expired = expired >= 0 ? expired : ~expired;
        for (var i = 0; i < expired; i++)
        {
            Count -= _counts[i];
        }

        RemoveCountsAt(0, expired);

        _horizon = horizon;
        if (_sweptAt == long.MinValue)
        {
            _sweptAt = horizon;
        }
        else if (horizon - _sweptAt >= 60)
        {
            Rebuild(grow: false, horizon);
        }
    }

    /// <summary>Every id held, as its key, with its minute; <see cref="Describe"/> gives back an exact id's text.</summary>
    public IEnumerable<(UInt128 Key, long Minute)> Entries()
    {
        foreach (var slot in _slots)
        {
            if (slot.IsOccupied && IsLive(slot))
            {
                yield return (slot.Key, MinuteOf(slot));
            }
        }
    }

    /// <summary>The id an exact key was made from; null for a fingerprint, whose id is not held.</summary>
    public static string? Describe(UInt128 key)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128LittleEndian(bytes, key);
        return (bytes[15] & ExactTag) == 0 ? null : IdBytes.Decode(bytes[..(bytes[15] & 0x0F)]);
    }

    /// <summary>Whether the key holds its id (<see cref="Describe"/> gives it back), without decoding the id: the tag is the key's top bit.</summary>
    public static bool IsExact(UInt128 key) => (key >> 127) != UInt128.Zero;

    /// <summary>The key of an id: its packed form when that fits in 15 bytes, else its fingerprint.</summary>
    public static UInt128 KeyOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var maxBytes = IdBytes.MaxLength(id);
        var rented = maxBytes <= 256 ? null : ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            Span<byte> form = rented is null ? stackalloc byte[maxBytes] : rented;
            var length = IdBytes.Encode(id, form);
            if (length <= MaxExactLength)
            {
                Span<byte> key = stackalloc byte[16];
                key.Clear();
                form[..length].CopyTo(key);
                key[15] = (byte)(ExactTag | length);
                return BinaryPrimitives.ReadUInt128LittleEndian(key);
            }

            // Top bit clear: never an exact key. Never zero either, which marks an empty slot.
            var fingerprint = XxHash128.HashToUInt128(MemoryMarshal.AsBytes(id.AsSpan())) & (UInt128.MaxValue >> 1);
            return fingerprint == UInt128.Zero ? UInt128.One : fingerprint;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private bool IsLive(in Slot slot) => MinuteOf(slot) >= _horizon;

    private long MinuteOf(in Slot slot) => slot.Offset == Far ? _far![slot.Key] : _base + slot.Offset;

    /// <summary>The 2 bytes a slot holds for the key's minute; a minute they cannot hold goes beside the table.</summary>
    private ushort Encode(UInt128 key, long minute)
    {
        var offset = minute - _base;
        if (offset >= 0 && offset < Far)
        {
            _far?.Remove(key);
            return (ushort)offset;
        }

        (_far ??= [])[key] = minute;
        return Far;
    }

    private void CountIn(int minute)
    {
        var at = MinuteIndex(minute);
        if (at < 0)
        {
            at = ~at;
            if (_minutesCounted == _countedMinutes.Length)
            {
                var size = Math.Max(4, _minutesCounted + (_minutesCounted / 2));
                Array.Resize(ref _countedMinutes, size);
                Array.Resize(ref _counts, size);
            }

            Array.Copy(_countedMinutes, at, _countedMinutes, at + 1, _minutesCounted - at);
            Array.Copy(_counts, at, _counts, at + 1, _minutesCounted - at);
            _countedMinutes[at] = minute;
            _counts[at] = 0;
            _minutesCounted++;
        }

        _counts[at]++;
        Count++;
    }

    private void Uncount(int minute)
    {
        var at = MinuteIndex(minute);
        if (--_counts[at] == 0)
        {
            RemoveCountsAt(at, 1);
        }

        Count--;
    }

    private int MinuteIndex(int minute) => Array.BinarySearch(_countedMinutes, 0, _minutesCounted, minute);

    private void RemoveCountsAt(int at, int length)
    {
        if (length == 0)
        {
            return;
        }

        Array.Copy(_countedMinutes, at + length, _countedMinutes, at, _minutesCounted - at - length);
        Array.Copy(_counts, at + length, _counts, at, _minutesCounted - at - length);
        _minutesCounted -= length;
    }

    /// <summary>The slot holding the key, or null and the first empty slot of its run, where it would go.</summary>
    private int? Find(UInt128 key, out int free)
    {
        free = -1;
        if (_slots.Length == 0)
        {
            return null;
        }

        for (var slot = HomeOf(key); ; slot = slot + 1 == _slots.Length ? 0 : slot + 1)
        {
            ref readonly var held = ref _slots[slot];
            if (!held.IsOccupied)
            {
                free = slot;
                return null;
            }

            if (held.Key == key)
            {
                return slot;
            }
        }
    }

    private int HomeOf(UInt128 key)
    {
        if (_oneHome)
        {
            return 0;
        }

        // Fold the key's halves with a multiply (fingerprints are random already; exact keys are not), then map the top
        // 32 bits onto the table without a power-of-two size, so it can grow by half instead of doubling.
        var mixed = ((ulong)key ^ (ulong)(key >> 64) * 0x9E3779B97F4A7C15UL) * 0xBF58476D1CE4E5B9UL;
        return (int)(((mixed >> 32) * (ulong)_slots.Length) >> 32);
    }

    /// <summary>
    /// Moves every live id into a new table, leaving expired ones behind: a larger one when it is full. The new table's
    /// minutes count from the horizon, or before there is one from the earliest of the live ids and <paramref name="pending"/>.
    /// </summary>
    private void Rebuild(bool grow, long pending)
    {
        var old = _slots;
        var live = 0;
        var earliest = pending;
        foreach (var slot in old)
        {
            if (slot.IsOccupied && IsLive(slot))
            {
                live++;
                earliest = Math.Min(earliest, MinuteOf(slot));
            }
        }

        var size = old.Length;
        if (grow ? live + 1 > size * RebuiltFull : live < size * LeastFull)
        {
            size = Math.Max(16, (int)((live + 1) / RebuiltFull));
        }

        // Every old slot's minute is read against the old base and dictionary, then held against the new ones.
        var oldBase = _base;
        var oldFar = _far;
        _base = _horizon != long.MinValue ? _horizon : earliest;
        _far = null;
        _slots = new Slot[size];
        _occupied = 0;
        foreach (var slot in old)
        {
            var minute = !slot.IsOccupied ? long.MinValue : slot.Offset == Far ? oldFar![slot.Key] : oldBase + slot.Offset;
            if (slot.IsOccupied && minute >= _horizon)
            {
                Find(slot.Key, out var free);
                _slots[free] = new Slot(slot.Key, Encode(slot.Key, minute));
                _occupied++;
            }
        }

        _sweptAt = _horizon;
    }

    // 18 bytes: the key and the minute's 2 bytes after the base, packed to 2 so an array of them has no padding.
    [StructLayout(LayoutKind.Sequential, Pack = 2)]
    private struct Slot(UInt128 key, ushort offset)
    {
        private readonly ulong _low = (ulong)key;
        private readonly ulong _high = (ulong)(key >> 64);
        public ushort Offset = offset;

        public readonly UInt128 Key => new(_high, _low);

        public readonly bool IsOccupied => _low != 0 || _high != 0;
    }
}
