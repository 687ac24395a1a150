using Akka.Actor;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>
/// The money columns hold each minute's sum as its integer and scale in 8 bytes, or as a decimal beside them when that
/// does not fit: either way a minute reads back as the very decimal that summing its deltas gives, bit for bit.
/// </summary>
public sealed class MinuteSeriesMoneyTests : IDisposable
{
    // The packed integer's limit (58 bits) and a long's (63), where a sum moves to the decimal held beside the column.
    private const long PackedLimit = 1L << 58;

    private readonly ActorSystem _system = ActorSystem.Create("minute-series-money-tests");

    public void Dispose() => _system.Dispose();

    [Theory]
    [InlineData(int.MaxValue)] // sparse throughout: minutes inserted out of order open slots in the decimal column too
    [InlineData(1)] // paged from the first minute
    [InlineData(40)] // sparse, then paged part of the way through
    public void Sums_at_mixed_scales_near_and_over_the_limits_read_back_bit_for_bit_through_a_snapshot(int denseFrom)
    {
        var random = new Random(20261207 + denseFrom);
        var series = new MinuteSeries(denseFrom);
        var wideSeen = 0;

        var oracle = MinuteSeriesOracle.Walk<decimal>(series, random,
            r => new MinuteTotals { Gross = RandomMoney(r), Refunds = RandomMoney(r), AdSpend = RandomMoney(r) },
            t => [t.Gross, t.Refunds, t.AdSpend],
            OracleAdd,
            held => wideSeen += held.Count(v => !FitsPacked(v)));

        Assert.True(wideSeen > 100, $"only {wideSeen} sums were over the packed limit: the decimal beside the columns went untested");
        Assert.True(oracle.Values.SelectMany(v => v).Select(Scale).Distinct().Count() > 5, "the sums held too few scales");
        Assert.Equal(oracle.Count, series.Count);
        AssertBitForBit(oracle, series);

        // Through the snapshot's JSON and back into a new series: each minute is the same decimal, scale included.
        AssertBitForBit(oracle, MinuteSeriesOracle.ThroughSnapshot(_system, series, denseFrom));
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    public void A_sum_that_leaves_the_packed_range_and_comes_back_keeps_its_scale_each_way(int denseFrom)
    {
        var series = new MinuteSeries(denseFrom);
        var big = Units((ulong)PackedLimit, 2); // 2^58 hundredths: one past the packed integer
        var steps = new[] { 10.50m, big, -big, 2m, -12.50m, 0.001m, -0.001m };
        var expected = 0m;
        foreach (var step in steps)
        {
            series.Add(7, new MinuteTotals { Gross = step });
            expected += step;
            Assert.True(series.TryGet(7, out var totals));
            Assert.Equal(decimal.GetBits(expected), decimal.GetBits(totals.Gross));
        }

        // 10.50 + 2^58/100 - 2^58/100 + 2 - 12.50 + 0.001 - 0.001 is 0.000: zero, with the largest scale it met.
        Assert.Equal("0.000", series.Minutes().Single().Totals.Gross.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    // The columns skip a zero delta, as the decimal columns before them did: adding 0.00 to 10.5 would make it 10.50.
    private static decimal OracleAdd(decimal sum, decimal delta, int sign) => delta != 0m ? sum + sign * delta : sum;

    private static void AssertBitForBit(SortedDictionary<long, decimal[]> oracle, MinuteSeries series)
    {
        var read = series.Minutes().ToArray();
        Assert.Equal(oracle.Keys, read.Select(m => m.Minute));
        foreach (var (minute, totals) in read)
        {
            var expected = oracle[minute];
            Assert.Equal(Bits(expected[0]), Bits(totals.Gross));
            Assert.Equal(Bits(expected[1]), Bits(totals.Refunds));
            Assert.Equal(Bits(expected[2]), Bits(totals.AdSpend));
        }
    }

    // The bits and the figure as text, so a failure shows which decimal it was.
    private static (string, int, int, int, int) Bits(decimal value)
    {
        var bits = decimal.GetBits(value);
        return (value.ToString(System.Globalization.CultureInfo.InvariantCulture), bits[0], bits[1], bits[2], bits[3]);
    }

    private static int Scale(decimal value) => value.Scale;

    private static bool FitsPacked(decimal value)
    {
        var bits = decimal.GetBits(value);
        var magnitude = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        return bits[2] == 0 && magnitude < PackedLimit && !(magnitude == 0 && bits[3] < 0);
    }

    // Mostly ordinary amounts at scales 0 to 4, some zero; some integers within a few units of 2^58 and of 2^63 at scales up to 10.
    private static decimal RandomMoney(Random random) => random.Next(12) switch
    {
        0 => 0m,
        1 => Units((ulong)(PackedLimit + random.Next(-3, 3)), random.Next(0, 11)),
        2 => Units((ulong)(long.MaxValue - random.Next(0, 3)), random.Next(0, 11)),
        _ => Units((ulong)random.NextInt64(1, 10_000_000), random.Next(0, 5)),
    };

    private static decimal Units(ulong magnitude, int scale) => new((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, false, (byte)scale);
}
