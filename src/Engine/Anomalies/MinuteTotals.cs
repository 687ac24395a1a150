namespace SalesDash.Engine.Anomalies;

/// <summary>
/// A running total of a per-minute count over the last <c>memory</c> minutes, fed in order: the count of any window is
/// one subtraction. A shop of 20 orders a day has a few hundred minutes with orders in a week, so it keeps those minutes
/// (12 bytes each); once a store fills more than an eighth of its minutes, a ring of one total per minute (4 bytes a
/// minute, 40 KB for a week) is smaller and it switches to that, for good. Both give the same totals.
/// </summary>
/// <remarks>Totals may wrap past <see cref="int.MaxValue"/>: the difference of two wrapped totals is still the count.</remarks>
internal sealed class MinuteTotals
{
    private readonly int _memory;

    // Sparse: the minutes that added to the total and the total after each, oldest first from _head; _base is the total
    // before the oldest kept minute.
    private List<long>? _minutes = [];
    private List<int>? _totals = [];
    private int _head;
    private int _base;

    // Dense: the total at each minute, in a ring of memory + 1 slots.
    private int[]? _ring;

    private long? _last;
    private int _total;

    /// <param name="memory">How many minutes back from the newest a total is asked for.</param>
    /// <param name="dense">Start as the ring (tests compare the two).</param>
    public MinuteTotals(int memory, bool dense = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memory);
        _memory = memory;
        if (dense)
        {
            ToRing();
        }
    }

    public bool IsDense => _ring is not null;

    /// <summary>Adds <paramref name="count"/> at <paramref name="minute"/>, later than every minute added before.</summary>
    public void Add(long minute, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_last is { } last && minute <= last)
        {
            throw new ArgumentOutOfRangeException(nameof(minute), minute, "Minutes must be fed in order, each once.");
        }

        if (_ring is { } ring)
        {
            // Minutes skipped are empty: the total stands still over them (at most the whole ring is rewritten).
            if (_last is { } before)
            {
                for (var m = before + 1; m < minute && m <= before + ring.Length; m++)
                {
                    ring[Slot(m)] = _total;
                }
            }

            _total = unchecked(_total + count);
            ring[Slot(minute)] = _total;
            _last = minute;
            return;
        }

        _last = minute;
        if (count > 0)
        {
            _total = unchecked(_total + count);
            _minutes!.Add(minute);
            _totals!.Add(_total);
        }

        // Forget minutes no total will be asked for again.
        while (_head < _minutes!.Count && _minutes[_head] < minute - _memory)
        {
            _base = _totals![_head++];
        }

        if (_head > 64 && _head * 2 > _minutes.Count)
        {
            _minutes.RemoveRange(0, _head);
            _totals!.RemoveRange(0, _head);
            _head = 0;
        }

        if ((_minutes.Count - _head) * 8 > _memory)
        {
            ToRing();
        }
    }

    /// <summary>The total up to and including <paramref name="minute"/>, at most the memory back from the newest minute added.</summary>
    public int TotalAt(long minute)
    {
        if (_ring is { } ring)
        {
            return ring[Slot(minute)];
        }

        // The last kept minute at or before the one asked for.
        var low = _head;
        var high = _minutes!.Count - 1;
        var found = -1;
        while (low <= high)
        {
            var mid = low + ((high - low) / 2);
            if (_minutes[mid] <= minute)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found < 0 ? _base : _totals![found];
    }

    private void ToRing()
    {
        var ring = new int[_memory + 1];
        if (_last is { } last)
        {
            // Each slot holds its minute's total, for the memory's minutes up to the newest.
            for (var m = last - _memory; m <= last; m++)
            {
                ring[Slot(m, ring.Length)] = TotalAt(m);
            }
        }

        _ring = ring;
        _minutes = null;
        _totals = null;
    }

    private int Slot(long minute) => Slot(minute, _ring!.Length);

    private static int Slot(long minute, int length) => (int)(((minute % length) + length) % length);
}
