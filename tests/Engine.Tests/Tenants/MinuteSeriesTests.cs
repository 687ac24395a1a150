using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Tests.Tenants;

public sealed class MinuteSeriesTests
{
    [Theory]
    [InlineData(int.MaxValue)] // sparse throughout
    [InlineData(1)] // paged from the first minute
    [InlineData(100)] // sparse, then paged part of the way through
    public void Random_adds_removals_and_expiry_match_a_dictionary_of_minutes(int denseFrom)
    {
        var random = new Random(20261206);
        var series = new MinuteSeries(denseFrom);
        var oracle = new Dictionary<long, MinuteTotals>();
        // Minutes on both sides of zero and of hour edges, so the page arithmetic is exercised for negative minutes too.
        var horizon = -400L;
        var mostHeld = 0;

        for (var step = 0; step < 20_000; step++)
        {
            var minute = horizon + random.Next(0, 900);
            switch (random.Next(10))
            {
                case < 8:
                    var delta = RandomDelta(random);
                    var sign = random.Next(4) == 0 ? -1 : 1;
                    series.Add(minute, delta, sign);
                    var held = oracle.GetValueOrDefault(minute);
                    held.Add(delta, sign);
                    oracle[minute] = held;
                    break;
                case 8:
                    horizon += random.Next(0, 90);
                    series.RemoveBefore(horizon);
                    foreach (var old in oracle.Keys.Where(m => m < horizon).ToArray())
                    {
                        oracle.Remove(old);
                    }

                    break;
                default:
                    var from = horizon + random.Next(-100, 900);
                    var to = from + random.Next(-5, 400);
                    var expected = oracle.Where(kv => kv.Key >= from && kv.Key <= to).OrderBy(kv => kv.Key).Select(Row).ToArray();
                    Assert.Equal(expected, series.Between(from, to).Select(m => Row(m.Minute, m.Totals)).ToArray());
                    break;
            }

            Assert.Equal(oracle.Count, series.Count);
            mostHeld = Math.Max(mostHeld, oracle.Count);
        }

        Assert.Equal(mostHeld >= denseFrom, series.IsPaged);
        Assert.True(denseFrom == int.MaxValue || series.IsPaged, "the run never reached the paged form it is meant to test");
        Assert.Equal(oracle.OrderBy(kv => kv.Key).Select(Row).ToArray(), series.Minutes().Select(m => Row(m.Minute, m.Totals)).ToArray());
        Assert.Equal(oracle.Count == 0 ? null : oracle.Keys.Min(), series.Earliest);
        foreach (var minute in Enumerable.Range(-500, 2_000).Select(m => (long)m))
        {
            Assert.Equal(oracle.TryGetValue(minute, out var expected), series.TryGet(minute, out var actual));
            Assert.Equal(Row(minute, expected), Row(minute, actual));
            Assert.Equal(oracle.ContainsKey(minute), series.Contains(minute));
        }
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    public void A_minute_brought_back_to_zero_is_still_held_until_it_ages_out(int denseFrom)
    {
        var series = new MinuteSeries(denseFrom);
        var order = new MinuteTotals { Gross = 12.50m, Orders = 1, Units = 2, NewCustomerOrders = 1 };
        series.Add(61, order);
        series.Add(61, order, -1);

        Assert.True(series.TryGet(61, out var totals));
        Assert.True(totals.IsEmpty);
        Assert.Equal(1, series.Count);

        series.RemoveBefore(62);
        Assert.False(series.Contains(61));
        Assert.Equal(0, series.Count);
        Assert.Null(series.Earliest);
    }

    // Records compare decimals by value (12.5 equals 12.50), which is what the figures mean.
    private static MinuteBucketSnapshot Row(KeyValuePair<long, MinuteTotals> minute) => Row(minute.Key, minute.Value);

    private static MinuteBucketSnapshot Row(long minute, MinuteTotals totals) => totals.ToSnapshot(DateTimeOffset.FromUnixTimeSeconds(minute * 60));

    private static MinuteTotals RandomDelta(Random random)
    {
        // Each delta records a few figures only, as events do (an order, a refund, a session, ad spend).
        return random.Next(4) switch
        {
            0 => new MinuteTotals
            {
                Gross = random.Next(0, 100_000) / 100m,
                Orders = 1,
                Units = random.Next(1, 9),
                NewCustomerOrders = random.Next(2),
                ReturningCustomerOrders = random.Next(2),
                CancelledOrders = random.Next(2),
            },
            1 => new MinuteTotals { Refunds = random.Next(1, 5_000) / 100m },
            2 => new MinuteTotals { Sessions = 1 },
            _ => new MinuteTotals { AdSpend = random.Next(1, 90_000) / 1000m },
        };
    }
}
