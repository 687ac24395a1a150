using Akka.Actor;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>
/// The count columns hold each minute's counts in 2 bytes until a sum leaves a <c>short</c>'s range and in 4 after:
/// either way a minute reads back the very sums an <c>int</c> per figure would have held.
/// </summary>
public sealed class MinuteSeriesCountTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("minute-series-count-tests");

    public void Dispose() => _system.Dispose();

    [Theory]
    [InlineData(int.MaxValue)] // sparse throughout: minutes inserted out of order open slots in the narrow and wide columns
    [InlineData(1)] // paged from the first minute
    [InlineData(40)] // sparse, then paged part of the way through
    public void Counts_that_cross_a_short_mid_page_read_back_exactly_through_a_snapshot(int denseFrom)
    {
        var random = new Random(20261207 + denseFrom);
        var series = new MinuteSeries(denseFrom);
        var overShort = 0;

        var oracle = MinuteSeriesOracle.Walk<int>(series, random,
            r => Totals([RandomCount(r), RandomCount(r), RandomCount(r), RandomCount(r), RandomCount(r), RandomCount(r)]),
            t => [t.Orders, t.Units, t.NewCustomerOrders, t.ReturningCustomerOrders, t.CancelledOrders, t.Sessions],
            (sum, delta, sign) => sum + sign * delta,
            held => overShort += held.Count(v => v is > short.MaxValue or < short.MinValue));

        Assert.True(overShort > 100, $"only {overShort} sums were outside a short: the widened columns went untested");
        Assert.Equal(oracle.Count, series.Count);
        AssertExact(oracle, series);

        // Through the snapshot's JSON and back into a new series: each minute's counts are the same.
        AssertExact(oracle, MinuteSeriesOracle.ThroughSnapshot(_system, series, denseFrom));
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    public void A_page_whose_one_minute_outgrows_a_short_keeps_the_counts_of_its_other_minutes(int denseFrom)
    {
        var series = new MinuteSeries(denseFrom);
        for (var minute = 0; minute < 60; minute++)
        {
            series.Add(minute, new MinuteTotals { Orders = minute + 1, Sessions = -minute, Units = short.MaxValue - minute });
        }

        // One minute's units pass 32,767 and then fall back under it; another's sessions go below -32,768.
        series.Add(30, new MinuteTotals { Units = 1_000 });
        series.Add(31, new MinuteTotals { Sessions = short.MinValue });
        Assert.True(series.TryGet(30, out var widened));
        Assert.Equal(short.MaxValue - 30 + 1_000, widened.Units);
        series.Add(30, new MinuteTotals { Units = -40_000 });

        for (var minute = 0; minute < 60; minute++)
        {
            Assert.True(series.TryGet(minute, out var totals));
            Assert.Equal(minute + 1, totals.Orders);
            Assert.Equal(minute == 30 ? short.MaxValue - 30 + 1_000 - 40_000 : short.MaxValue - minute, totals.Units);
            Assert.Equal(minute == 31 ? -31 + short.MinValue : -minute, totals.Sessions);
        }
    }

    private static MinuteTotals Totals(int[] counts) => new()
    {
        Orders = counts[0],
        Units = counts[1],
        NewCustomerOrders = counts[2],
        ReturningCustomerOrders = counts[3],
        CancelledOrders = counts[4],
        Sessions = counts[5],
    };

    private static void AssertExact(SortedDictionary<long, int[]> oracle, MinuteSeries series)
    {
        var read = series.Minutes().ToArray();
        Assert.Equal(oracle.Keys, read.Select(m => m.Minute));
        foreach (var (minute, totals) in read)
        {
            var t = totals;
            Assert.Equal(oracle[minute], new[] { t.Orders, t.Units, t.NewCustomerOrders, t.ReturningCustomerOrders, t.CancelledOrders, t.Sessions });
        }
    }

    // Mostly a few units, some zero, some in the thousands and tens of thousands so that sums cross a short both ways.
    private static int RandomCount(Random random) => random.Next(12) switch
    {
        0 => 0,
        1 => random.Next(20_000, 40_000),
        2 => random.Next(1_000, 9_000),
        _ => random.Next(1, 5),
    };
}
