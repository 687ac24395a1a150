using SalesDash.Engine.Anomalies;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>Running totals of a per-minute count, kept sparse for a small shop and as a ring for a busy one, against plain sums.</summary>
public sealed class MinuteTotalsTests
{
    private const int Memory = 7 * 24 * 60;

    [Theory]
    [InlineData(1, 0.02)]
    [InlineData(2, 1.0)]
    [InlineData(3, 3.0)]
    public void Every_window_within_the_memory_counts_what_was_added_in_it_sparse_dense_or_switching(int seed, double busyRate)
    {
        // A quiet week (a few orders an hour, minutes skipped as the monitor skips nothing but a feed may), then a busier
        // one at busyRate orders a minute: a small shop stays sparse, a busy one switches to the ring part-way.
        var random = new Random(seed);
        var sparse = new MinuteTotals(Memory);
        var dense = new MinuteTotals(Memory, dense: true);
        var added = new Dictionary<long, int>();
        long minute = 100_000;
        for (var step = 0; step < 3 * Memory; step++)
        {
            minute += random.Next(100) == 0 ? random.Next(2, 200) : 1;
            var rate = step < Memory ? 0.05 : busyRate;
            var count = random.NextDouble() < rate ? 1 + random.Next((int)Math.Ceiling(rate * 3)) : 0;
            sparse.Add(minute, count);
            dense.Add(minute, count);
            added[minute] = count;

            if (step % 97 == 0)
            {
                for (var probe = 0; probe < 20; probe++)
                {
                    var end = minute - random.Next(Memory / 2);
                    var start = end - random.Next(1, Memory / 2);
                    var expected = added.Where(a => a.Key > start && a.Key <= end).Sum(a => a.Value);
                    Assert.Equal(expected, unchecked(sparse.TotalAt(end) - sparse.TotalAt(start)));
                    Assert.Equal(expected, unchecked(dense.TotalAt(end) - dense.TotalAt(start)));
                }
            }
        }

        Assert.Equal(busyRate >= 1, sparse.IsDense);
    }

    [Fact]
    public void Minutes_out_of_order_and_negative_counts_are_refused()
    {
        var totals = new MinuteTotals(60);
        totals.Add(10, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => totals.Add(10, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => totals.Add(9, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => totals.Add(11, -1));
    }
}
