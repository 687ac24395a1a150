using SalesDash.Engine.Anomalies;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>
/// The robust half's spreads kept as their non-zero residuals give, to the bit, what one <see cref="MedianWindow"/> of
/// sizes per scale gave (the structure they replace, kept here as the oracle), and hold only the residuals that matter.
/// </summary>
public sealed class ResidualSpreadsTests
{
    private static readonly int[] Scales = [1, 5, 30];

    [Theory]
    [InlineData(1000, 3000, 0.01, 0, 0, 1)] // a quiet store: a residual now and then, zero otherwise
    [InlineData(1000, 3000, 0.3, 0, 0, 1)] // busier, runs of sizes overlapping at the long scale
    [InlineData(1000, 2500, 1.0, 0, 0, 1)] // every residual non-zero and distinct (revenue on a busy store)
    [InlineData(1000, 3000, 0.2, 3, 0, 1)] // few distinct residuals, with exact cancellations (+x then -x)
    [InlineData(50, 2000, 0.3, 0, 0, 1)] // a short window, so entries leave it often
    [InlineData(1500, 4000, 0.5, 0, 0, 1)] // past the stack limit: sizes are selected in a rented array
    [InlineData(7, 500, 0.5, 2, 0, 1)] // an odd window shorter than the longest scale
    [InlineData(1000, 5000, 1.0, 0, 0.002, 1)] // sizes that grow all the time, so the middle keeps leaving its band
    [InlineData(1000, 5000, 0.8, 0, -0.0002, 1)] // and shrink, towards many more zeros
    [InlineData(1000, 4000, 0.6, 0, 0.001, 37)] // medians asked now and then: the bands follow the points in between
    [InlineData(200, 3000, 0.9, 40, 0, 5)] // many sizes equal to the middle ones
    public void Each_scale_gives_the_sizes_and_medians_its_window_of_sizes_gave(int window, int count, double busy, int distinct, double drift, int askEvery)
    {
        var spreads = new ResidualSpreads(window, Scales);
        var oracle = new Oracle(window);
        var random = new Random(11);
        ResidualSpreads? copy = null;
        for (var i = 0; i < count; i++)
        {
            if (i == count / 2)
            {
                // The detector restarts its spreads when the seasons become known.
                spreads.Clear();
                oracle.Clear();
            }

            if (i == count / 3)
            {
                // A copy goes on exactly as the original does.
                copy = spreads.Clone();
            }

            var residual = NextResidual(random, busy, distinct) * Math.Max(0.05, 1 + (drift * i));
            spreads.Add(residual);
            copy?.Add(residual);
            oracle.Add(residual);
            foreach (var scale in Scales)
            {
                Assert.Equal(oracle.SpreadCount(scale), spreads.SpreadCount(scale));
                if (oracle.Count < scale)
                {
                    continue;
                }

                var size = oracle.NewestSize(scale);
                Assert.Equal(BitConverter.DoubleToInt64Bits(size), BitConverter.DoubleToInt64Bits(spreads.NewestSize(scale)));
                if (oracle.SpreadCount(scale) > 0 && i % askEvery == 0)
                {
                    var median = oracle.Median(scale);
                    Assert.Equal(BitConverter.DoubleToInt64Bits(median), BitConverter.DoubleToInt64Bits(spreads.Median(scale)));
                    if (copy is not null && i < count / 2)
                    {
                        Assert.Equal(BitConverter.DoubleToInt64Bits(median), BitConverter.DoubleToInt64Bits(copy.Median(scale)));
                    }
                }

                oracle.Join(scale, size);
            }
        }
    }

    [Fact]
    public void A_quiet_stream_holds_only_its_recent_non_zero_residuals()
    {
        // 20 orders a day over minutes: the residuals the spreads must keep are those of the last window + 30 points.
        var spreads = new ResidualSpreads(1000, Scales);
        var nonZero = new List<int>();
        for (var i = 0; i < 9 * 1440; i++)
        {
            var residual = i % 72 == 0 ? 37.5 + (i % 11) : 0;
            spreads.Add(residual);
            if (residual != 0)
            {
                nonZero.Add(i);
            }
        }

        var last = (9 * 1440) - 1;
        Assert.Equal(nonZero.Count(i => last - i < 1000 + 30), spreads.Held);
    }

    [Theory]
    [InlineData(1.0, 0)] // every residual non-zero and distinct, as revenue on a busy store
    [InlineData(1.0, 0.002)] // and sizes that grow all the time, the middle leaving its band the most often
    [InlineData(0.5, 0)] // half non-zero, as the bench's quiet store
    public void A_point_sums_a_bounded_number_of_residuals(double busy, double drift)
    {
        // Recomputing every size of the window for each median sums about window × scale residuals a point: 36,000 for
        // these scales on a busy stream, which made a busy store's monitor rebuild 2.5× slower (s11-robust).
        var spreads = new ResidualSpreads(1000, Scales);
        var random = new Random(5);
        const int Points = 8000;
        for (var i = 0; i < Points; i++)
        {
            spreads.Add(NextResidual(random, busy, 0) * (1 + (drift * i)));
            foreach (var scale in Scales)
            {
                if (spreads.SpreadCount(scale) >= 30)
                {
                    _ = spreads.NewestSize(scale);
                    _ = spreads.Median(scale);
                }
            }
        }

        // Each point sums its new sizes and the joining and leaving ones (3 × 36); a band lasts at least 8 points, so
        // selecting again adds at most 36,000 / 8 a point, and a stationary stream far less.
        Assert.InRange(spreads.SummedTerms / (double)Points, 0, 5000);
    }

    [Fact]
    public void A_median_before_any_size_is_refused()
    {
        var spreads = new ResidualSpreads(1000, Scales);
        spreads.Add(1);
        Assert.Equal(0, spreads.SpreadCount(1));
        Assert.Throws<InvalidOperationException>(() => spreads.Median(1));
        Assert.Throws<InvalidOperationException>(() => spreads.NewestSize(5));
    }

    private static double NextResidual(Random random, double busy, int distinct)
    {
        if (random.NextDouble() >= busy)
        {
            return 0;
        }

        var sign = random.Next(2) == 0 ? -1 : 1;
        return distinct > 0 ? sign * (1 + random.Next(distinct)) : sign * random.NextDouble() * 1000;
    }

    // The detector's spreads before ResidualSpreads: a ring of the last residuals and a MedianWindow of sizes per scale.
    private sealed class Oracle(int window)
    {
        private readonly double[] _residuals = new double[Scales.Max()];
        private readonly Dictionary<int, MedianWindow> _windows = Scales.ToDictionary(s => s, _ => new MedianWindow(window));

        public long Count { get; private set; }

        public void Add(double residual)
        {
            _residuals[(int)(Count % _residuals.Length)] = residual;
            Count++;
        }

        public int SpreadCount(int scale) => _windows[scale].Count;

        public double NewestSize(int scale)
        {
            var sum = 0.0;
            for (var j = 0; j < scale; j++)
            {
                sum += _residuals[(int)((Count - 1 - j) % _residuals.Length)];
            }

            return Math.Abs(sum / scale);
        }

        public double Median(int scale) => _windows[scale].Median();

        public void Join(int scale, double size) => _windows[scale].Add(size);

        public void Clear()
        {
            Count = 0;
            foreach (var w in _windows.Values)
            {
                w.Clear();
            }
        }
    }
}
