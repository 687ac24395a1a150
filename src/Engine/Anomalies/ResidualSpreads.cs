namespace SalesDash.Engine.Anomalies;

/// <summary>
/// The robust half's residuals and, at each evidence scale s, the sizes |mean of s consecutive residuals| over the last
/// <c>window</c> points and their median: what one <see cref="MedianWindow"/> of sizes per scale held, kept as the
/// residuals that make the sizes instead.
/// </summary>
/// <remarks>
/// A quiet store's residuals are zero for long stretches, and revenue's sizes are all distinct, so three windows of
/// them cost 3 × 8 KB (bench/README.md, issue 15 pt 7). Only the non-zero residuals are kept, with their number, for
/// the window plus the longest scale; a median recomputes the sizes that are not zero, in the order the detector summed
/// them (newest first: a zero term leaves a sum's bits alone), so each size and so each median is the one the windows
/// gave, to the bit. Memory follows traffic: 12 bytes a non-zero residual, at most window + scale of them (the bench's
/// quiet store has about half non-zero: 30 KiB a store instead of 49). The price is CPU on a busy stream: a median sums
/// up to window × s residuals, not bounded here yet (bench/README.md says how it would be).
/// Not thread-safe.
/// </remarks>
internal sealed class ResidualSpreads
{
    // Larger selections run in a rented array rather than on the stack.
    private const int StackLimit = 1024;

    private readonly int _window;
    private readonly int _reach;

    // The non-zero residuals, oldest first, in a ring of _held entries from _head; each with its number since the
    // last clear (as uint: only differences within _reach are ever taken, so the wrap after 2^32 points is harmless).
    private double[] _values = [];
    private uint[] _numbers = [];
    private int _head;
    private int _held;
    private long _count;

    public ResidualSpreads(int window, int longestScale)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(longestScale, 1);
        _window = window;
        _reach = window + longestScale;
    }

    private ResidualSpreads(ResidualSpreads other)
    {
        _window = other._window;
        _reach = other._reach;
        _values = (double[])other._values.Clone();
        _numbers = (uint[])other._numbers.Clone();
        _head = other._head;
        _held = other._held;
        _count = other._count;
    }

    /// <summary>Residuals added since the last clear.</summary>
    public long Count => _count;

    /// <summary>The non-zero residuals held (what the memory follows).</summary>
    internal int Held => _held;

    public void Add(double residual)
    {
        // Older than any size still in a window, or the newest size, can read.
        while (_held > 0 && _count - Number(0) >= _reach)
        {
            _head = (_head + 1) % _values.Length;
            _held--;
        }

        if (residual != 0)
        {
            if (_held == _values.Length)
            {
                Resize(Math.Max(4, _values.Length * 2));
            }

            var at = (_head + _held) % _values.Length;
            _values[at] = residual;
            _numbers[at] = unchecked((uint)_count);
            _held++;
        }
        else if (_values.Length > 4 && _held <= _values.Length / 4)
        {
            // A burst is over: give back what it grew.
            Resize(_values.Length / 2);
        }

        _count++;
    }

    /// <summary>Sizes at scale <paramref name="scale"/> the window holds before the newest joins: one per point from the scale on.</summary>
    public int SpreadCount(int scale) => (int)Math.Clamp(_count - scale, 0, _window);

    /// <summary>|mean of the newest <paramref name="scale"/> residuals|; needs at least that many.</summary>
    public double NewestSize(int scale)
    {
        if (_count < scale)
        {
            throw new InvalidOperationException("Fewer residuals than the scale.");
        }

        return SizeAt(scale, _count, _held - 1);
    }

    /// <summary>
    /// The median of the sizes at <paramref name="scale"/> of the last <see cref="SpreadCount"/> points before the newest:
    /// what a <see cref="MedianWindow"/> of the window's capacity, fed each point's size from the scale on, would give.
    /// </summary>
    public double Median(int scale)
    {
        var n = SpreadCount(scale);
        if (n == 0)
        {
            throw new InvalidOperationException("No sizes at this scale yet.");
        }

        // Sizes by the number of residuals seen when they were taken: lo..hi, the newest point's own size excluded.
        var lo = _count - n;
        var hi = _count - 1;
        double[]? rented = null;
        var sizes = n <= StackLimit ? stackalloc double[n] : (rented = System.Buffers.ArrayPool<double>.Shared.Rent(n)).AsSpan(0, n);
        try
        {
            var found = 0;
            var next = lo;
            var last = -1;
            for (var p = 0; p < _held; p++)
            {
                // The residual numbered i is in the sizes taken at i + 1 .. i + scale.
                var i = Number(p);
                var from = Math.Max(next, i + 1);
                var to = Math.Min(hi, i + scale);
                for (var c = from; c <= to; c++)
                {
                    while (last + 1 < _held && Number(last + 1) < c)
                    {
                        last++;
                    }

                    var size = SizeAt(scale, c, last);
                    if (size != 0)
                    {
                        sizes[found++] = size;
                    }
                }

                next = Math.Max(next, to + 1);
            }

            // Every other size is 0, and sizes are never negative: the zeros are the lowest ranks.
            var zeros = n - found;
            var nonZero = sizes[..found];
            var upper = ValueAtRank(nonZero, zeros, n / 2);
            return n % 2 == 1 ? upper : (ValueAtRank(nonZero, zeros, (n - 1) / 2) + upper) / 2;
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    public void Clear()
    {
        _head = 0;
        _held = 0;
        _count = 0;
    }

    public ResidualSpreads Clone() => new(this);

    // The number (since the clear) of the p-th oldest non-zero residual held.
    private long Number(int p)
    {
        var stored = _numbers[(_head + p) % _values.Length];

        // The newest numbers are below _count; the low 32 bits go back by at most _reach.
        return _count - unchecked((uint)_count - stored);
    }

    // |sum of residuals numbered count-scale .. count-1, newest first| / scale; `last` is the newest entry numbered
    // below `count` (-1 for none).
    private double SizeAt(int scale, long count, int last)
    {
        var sum = 0.0;
        for (var p = last; p >= 0; p--)
        {
            if (Number(p) < count - scale)
            {
                break;
            }

            sum += _values[(_head + p) % _values.Length];
        }

        return Math.Abs(sum / scale);
    }

    private static double ValueAtRank(Span<double> nonZero, int zeros, int rank) =>
        rank < zeros ? 0 : MedianWindow.Select(nonZero, rank - zeros);

    private void Resize(int length)
    {
        var values = new double[length];
        var numbers = new uint[length];
        for (var p = 0; p < _held; p++)
        {
            values[p] = _values[(_head + p) % _values.Length];
            numbers[p] = _numbers[(_head + p) % _values.Length];
        }

        _values = values;
        _numbers = numbers;
        _head = 0;
    }
}
