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
    [InlineData(1000, 3000, 0.01, 0)] // a quiet store: a residual now and then, zero otherwise
    [InlineData(1000, 3000, 0.3, 0)] // busier, runs of sizes overlapping at the long scale
    [InlineData(1000, 2500, 1.0, 0)] // every residual non-zero and distinct (revenue on a busy store)
    [InlineData(1000, 3000, 0.2, 3)] // few distinct residuals, with exact cancellations (+x then -x)
    [InlineData(50, 2000, 0.3, 0)] // a short window, so entries leave it often
    [InlineData(1500, 4000, 0.5, 0)] // past the stack limit: sizes are selected in a rented array
    [InlineData(7, 500, 0.5, 2)] // an odd window shorter than the longest scale
    public void Each_scale_gives_the_sizes_and_medians_its_window_of_sizes_gave(int window, int count, double busy, int distinct)
    {
        var spreads = new ResidualSpreads(window, Scales.Max());
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

            var residual = NextResidual(random, busy, distinct);
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
                if (oracle.SpreadCount(scale) > 0)
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
        var spreads = new ResidualSpreads(1000, Scales.Max());
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

    [Fact]
    public void A_median_before_any_size_is_refused()
    {
        var spreads = new ResidualSpreads(1000, 30);
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
