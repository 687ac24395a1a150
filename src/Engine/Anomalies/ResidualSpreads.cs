namespace SalesDash.Engine.Anomalies;

/// <summary>
/// The robust half's residuals and, at each evidence scale s, the sizes |mean of s consecutive residuals| over the last
/// <c>window</c> points and their median: what one <see cref="MedianWindow"/> of sizes per scale held, kept as the
/// residuals that make the sizes instead.
/// </summary>
/// <remarks>
/// A quiet store's residuals are zero for long stretches, and revenue's sizes are all distinct, so three windows of
/// them cost 3 × 8 KB (bench/README.md, issue 15 pt 7). Only the non-zero residuals are kept, with their number, for
/// the window plus the longest scale; a size is recomputed from them in the order the detector summed it (newest first:
/// a zero term leaves a sum's bits alone), so each size and so each median is the one the windows gave, to the bit.
/// Memory follows traffic: 10 bytes a non-zero residual, at most window + scale of them (the bench's quiet store has
/// about half non-zero).
/// Recomputing every size for every median cost a busy stream up to window × scale additions a point, and made a busy
/// store's monitor rebuild 2.5× slower (s11-robust). So each scale keeps a band: the distinct sizes around the middle
/// ranks with their numbers, and how many sizes lie below and above it. A point recomputes only the size that joins and
/// the one that leaves (2 × scale additions) and moves them in or around the band; the median is read off the band
/// while the middle ranks are in it, and only when the middle walks out of it are all sizes recomputed and a new band
/// selected. Not thread-safe.
/// </remarks>
internal sealed class ResidualSpreads
{
    // Larger selections run in a rented array rather than on the stack.
    private const int StackLimit = 1024;

    // Ranks kept either side of the middle two when a band is selected: the middle moves at most one rank a point, so a
    // band lasts at least this many points and, while sizes come and go at random, about its square.
    private const int BandRanks = 8;

    // Distinct sizes a band may gather (new sizes landing inside it) before it is dropped and selected again narrower.
    private const int BandLimit = 64;

    // Numbers are kept as ushort offsets: only differences within the reach are ever taken.
    private const int MaxReach = ushort.MaxValue;

    private readonly int _window;
    private readonly int _reach;
    private readonly int[] _scales;

    // The non-zero residuals, oldest first, in a ring of _held entries from _head; each with its number since the last
    // clear, modulo 2^16.
    private double[] _values = [];
    private ushort[] _numbers = [];
    private int _head;
    private int _held;
    private long _count;

    // Per scale, the band of the sizes its median is read from; null until a median is asked and after a clear.
    private readonly Band?[] _bands;

    /// <param name="window">Sizes each scale's median is taken over.</param>
    /// <param name="scales">The scales asked about; each at least 1, and the window plus the longest at most 65,535.</param>
    public ResidualSpreads(int window, IReadOnlyList<int> scales)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentNullException.ThrowIfNull(scales);
        if (scales.Count == 0 || scales.Any(s => s < 1) || (long)window + scales.Max() > MaxReach)
        {
            throw new ArgumentOutOfRangeException(nameof(scales), "Need at least one scale, each at least 1, and window + longest scale <= 65,535.");
        }

        _window = window;
        _scales = [.. scales];
        _reach = window + _scales.Max();
        _bands = new Band?[_scales.Length];
    }

    private ResidualSpreads(ResidualSpreads other)
    {
        _window = other._window;
        _reach = other._reach;
        _scales = other._scales;
        _values = (double[])other._values.Clone();
        _numbers = (ushort[])other._numbers.Clone();
        _head = other._head;
        _held = other._held;
        _count = other._count;
        _bands = [.. other._bands.Select(b => b?.Clone())];
    }

    /// <summary>Residuals added since the last clear.</summary>
    public long Count => _count;

    /// <summary>The non-zero residuals held (what the memory follows).</summary>
    internal int Held => _held;

    /// <summary>Residuals summed into sizes since this was made (what the CPU follows; tests bound it).</summary>
    internal long SummedTerms { get; private set; }

    public void Add(double residual)
    {
        // The sizes the residual numbered _count completes: the newest joins each window, the one `window` points older
        // leaves it. Both are read before the oldest residuals are let go.
        for (var k = 0; k < _scales.Length; k++)
        {
            if (_bands[k] is { } band && !MoveBand(band, _scales[k]))
            {
                _bands[k] = null;
            }
        }

        // Older than any size still in a window, or the newest size, can read.
        while (_held > 0 && _count - Number(0) >= _reach)
        {
            _head = Wrap(_head + 1);
            _held--;
        }

        if (residual != 0)
        {
            if (_held == _values.Length)
            {
                Resize(Roomy(_held + 1));
            }

            var at = Wrap(_head + _held);
            _values[at] = residual;
            _numbers[at] = unchecked((ushort)_count);
            _held++;
        }
        else if (_values.Length > 8 && _held <= _values.Length / 2)
        {
            // A burst is over: give back what it grew.
            Resize(Roomy(_held));
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

        var k = ScaleIndex(scale);
        if (_bands[k] is { } band && band.TryMedian(n, out var median))
        {
            return median;
        }

        band = SelectBand(scale, n);
        _bands[k] = band;
        return band.TryMedian(n, out median) ? median : throw new InvalidOperationException("A band just selected misses the middle ranks.");
    }

    public void Clear()
    {
        _head = 0;
        _held = 0;
        _count = 0;
        Array.Clear(_bands);
    }

    public ResidualSpreads Clone() => new(this);

    // Before the residual numbered _count is added: its window gains the size taken at _count and loses the one taken at
    // _count - window. False when the band cannot follow (it grew past its limit).
    private bool MoveBand(Band band, int scale)
    {
        if (_count >= scale && !band.Join(SizeAt(scale, _count, _held - 1)))
        {
            return false;
        }

        var leaving = _count - _window;
        return leaving < scale || band.Leave(SizeAt(scale, leaving, NewestBelow(leaving)));
    }

    // The sizes of the window at `scale` (n of them, before the newest), and the band around their middle ranks.
    private Band SelectBand(int scale, int n)
    {
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
            var low = ValueAtRank(nonZero, zeros, Math.Max(0, ((n - 1) / 2) - BandRanks));
            var high = ValueAtRank(nonZero, zeros, Math.Min(n - 1, (n / 2) + BandRanks));
            return Band.Of(nonZero, zeros, low, high);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    // The index of the newest held residual numbered below `count` (-1 for none); numbers grow with the index.
    private int NewestBelow(long count)
    {
        var (lo, hi) = (0, _held);
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Number(mid) < count)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo - 1;
    }

    // The number (since the clear) of the p-th oldest non-zero residual held.
    private long Number(int p)
    {
        var stored = _numbers[Wrap(_head + p)];

        // Held numbers are below _count and at most the reach (< 2^16) behind it.
        return _count - unchecked((ushort)((ushort)_count - stored));
    }

    // |sum of residuals numbered count-scale .. count-1, newest first| / scale; `last` is the newest entry numbered
    // below `count` (-1 for none).
    private double SizeAt(int scale, long count, int last)
    {
        var sum = 0.0;
        for (var p = last; p >= 0; p--)
        {
            var at = Wrap(_head + p);
            if (_count - unchecked((ushort)((ushort)_count - _numbers[at])) < count - scale)
            {
                break;
            }

            sum += _values[at];
            SummedTerms++;
        }

        return Math.Abs(sum / scale);
    }

    private int Wrap(int at) => at >= _values.Length ? at - _values.Length : at;

    private int ScaleIndex(int scale)
    {
        var k = Array.IndexOf(_scales, scale);
        return k >= 0 ? k : throw new ArgumentOutOfRangeException(nameof(scale), scale, "Not one of the scales.");
    }

    private static double ValueAtRank(Span<double> nonZero, int zeros, int rank) =>
        rank < zeros ? 0 : MedianWindow.Select(nonZero, rank - zeros);

    // A ring length with an eighth to spare, so a stream near its usual count neither copies each point nor holds twice
    // what it uses (a power of two held ~330-640 of 1,030 at s11-robust).
    private static int Roomy(int held) => held + Math.Max(4, held / 8);

    private void Resize(int length)
    {
        var values = new double[length];
        var numbers = new ushort[length];
        for (var p = 0; p < _held; p++)
        {
            var at = Wrap(_head + p);
            values[p] = _values[at];
            numbers[p] = _numbers[at];
        }

        _values = values;
        _numbers = numbers;
        _head = 0;
    }

    /// <summary>
    /// The sizes of a window between two bounds, each distinct one with its number, sorted, and how many lie below and
    /// above them: enough to read any rank that falls between the bounds.
    /// </summary>
    private sealed class Band
    {
        private readonly double _low;
        private readonly double _high;
        private double[] _sizes;
        private int[] _counts;
        private int _distinct;
        private int _below;
        private int _inside;
        private int _above;

        private Band(double low, double high, double[] sizes, int[] counts, int below, int inside, int above)
        {
            _low = low;
            _high = high;
            _sizes = sizes;
            _counts = counts;
            _distinct = sizes.Length;
            _below = below;
            _inside = inside;
            _above = above;
        }

        private Band(Band other)
        {
            _low = other._low;
            _high = other._high;
            _sizes = (double[])other._sizes.Clone();
            _counts = (int[])other._counts.Clone();
            _distinct = other._distinct;
            _below = other._below;
            _inside = other._inside;
            _above = other._above;
        }

        // The band of every size in [low, high]: the window is the non-zero sizes (reordered here) and `zeros` zeros.
        public static Band Of(Span<double> nonZero, int zeros, double low, double high)
        {
            var below = low > 0 ? zeros : 0;
            var above = 0;
            var inside = 0;
            for (var i = 0; i < nonZero.Length; i++)
            {
                var size = nonZero[i];
                if (size < low)
                {
                    below++;
                }
                else if (size > high)
                {
                    above++;
                }
                else
                {
                    nonZero[inside++] = size;
                }
            }

            var kept = nonZero[..inside];
            kept.Sort();
            var zerosInside = low > 0 ? 0 : zeros;
            var distinct = (zerosInside > 0 ? 1 : 0) + CountDistinct(kept);
            var sizes = new double[distinct];
            var counts = new int[distinct];
            var d = 0;
            if (zerosInside > 0)
            {
                counts[d++] = zerosInside;
            }

            for (var i = 0; i < kept.Length; i++)
            {
                if (i > 0 && kept[i] == kept[i - 1])
                {
                    counts[d - 1]++;
                    continue;
                }

                sizes[d] = kept[i];
                counts[d++] = 1;
            }

            return new Band(low, high, sizes, counts, below, inside + zerosInside, above);
        }

        public Band Clone() => new(this);

        public bool Join(double size)
        {
            if (size < _low)
            {
                _below++;
                return true;
            }

            if (size > _high)
            {
                _above++;
                return true;
            }

            var at = Find(size);
            if (at < _distinct && _sizes[at] == size)
            {
                _counts[at]++;
                _inside++;
                return true;
            }

            if (_distinct == BandLimit)
            {
                return false;
            }

            if (_distinct == _sizes.Length)
            {
                Array.Resize(ref _sizes, Math.Min(BandLimit, _distinct + 4));
                Array.Resize(ref _counts, _sizes.Length);
            }

            Array.Copy(_sizes, at, _sizes, at + 1, _distinct - at);
            Array.Copy(_counts, at, _counts, at + 1, _distinct - at);
            _sizes[at] = size;
            _counts[at] = 1;
            _distinct++;
            _inside++;
            return true;
        }

        public bool Leave(double size)
        {
            if (size < _low)
            {
                _below--;
                return true;
            }

            if (size > _high)
            {
                _above--;
                return true;
            }

            var at = Find(size);
            if (at == _distinct || _sizes[at] != size)
            {
                // Every size that leaves joined before and is recomputed to the bit; should this ever miss, select again.
                return false;
            }

            _inside--;
            if (--_counts[at] == 0)
            {
                Array.Copy(_sizes, at + 1, _sizes, at, _distinct - at - 1);
                Array.Copy(_counts, at + 1, _counts, at, _distinct - at - 1);
                _distinct--;
            }

            return true;
        }

        // The median of the n sizes held, as MedianWindow gives it, when both middle ranks are inside the band.
        public bool TryMedian(int n, out double median)
        {
            median = 0;
            if (_below + _inside + _above != n || (n - 1) / 2 < _below || n / 2 >= _below + _inside)
            {
                return false;
            }

            var upper = At((n / 2) - _below);
            median = n % 2 == 1 ? upper : (At(((n - 1) / 2) - _below) + upper) / 2;
            return true;
        }

        private static int CountDistinct(ReadOnlySpan<double> sorted)
        {
            var distinct = 0;
            for (var i = 0; i < sorted.Length; i++)
            {
                if (i == 0 || sorted[i] != sorted[i - 1])
                {
                    distinct++;
                }
            }

            return distinct;
        }

        // The first distinct size not below `size` (_distinct when all are).
        private int Find(double size)
        {
            var (lo, hi) = (0, _distinct);
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (_sizes[mid] < size)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }

        private double At(int rank)
        {
            for (var i = 0; i < _distinct; i++)
            {
                rank -= _counts[i];
                if (rank < 0)
                {
                    return _sizes[i];
                }
            }

            throw new InvalidOperationException("The band's counts are fewer than its sizes.");
        }
    }
}
