using Akka.Actor;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>
/// A random walk over a <see cref="MinuteSeries"/> beside a plain dictionary of sums (the oracle), shared by the tests of
/// its column layouts: each layout must read back what summing the deltas figure by figure gives.
/// </summary>
internal static class MinuteSeriesOracle
{
    /// <summary>
    /// 6,000 steps over a horizon that moves: most add a delta (subtracted one time in three) to a minute within 400 of the
    /// horizon, opening minutes out of order; one in 40 moves the horizon and drops what is before it, in both.
    /// </summary>
    /// <param name="figures">Reads the figures under test from a delta; the oracle holds them by position.</param>
    /// <param name="add">The oracle's sum of a held figure and a delta's, given the sign.</param>
    /// <param name="afterStep">Sees the minute's held figures after each add (to count how many reached a layout's edge).</param>
    public static SortedDictionary<long, T[]> Walk<T>(MinuteSeries series, Random random, Func<Random, MinuteTotals> nextDelta,
        Func<MinuteTotals, T[]> figures, Func<T, T, int, T> add, Action<T[]> afterStep)
    {
        var oracle = new SortedDictionary<long, T[]>();
        var horizon = -200L;
        for (var step = 0; step < 6_000; step++)
        {
            var minute = horizon + random.Next(0, 400);
            if (random.Next(40) == 0)
            {
                horizon += random.Next(0, 30);
                series.RemoveBefore(horizon);
                foreach (var old in oracle.Keys.Where(m => m < horizon).ToArray())
                {
                    oracle.Remove(old);
                }

                continue;
            }

            var delta = nextDelta(random);
            var sign = random.Next(3) == 0 ? -1 : 1;
            series.Add(minute, delta, sign);

            var added = figures(delta);
            var held = oracle.TryGetValue(minute, out var sums) ? sums : oracle[minute] = new T[added.Length];
            for (var f = 0; f < added.Length; f++)
            {
                held[f] = add(held[f], added[f], sign);
            }

            afterStep(held);
        }

        return oracle;
    }

    /// <summary>The series through a snapshot's serialized form and back into a new series, as recovery reads it.</summary>
    public static MinuteSeries ThroughSnapshot(ActorSystem system, MinuteSeries series, int denseFrom)
    {
        var snapshot = new KpiSnapshot(0, null, null, null, series.Minutes().Select(m => m.Totals.ToSnapshot(DateTimeOffset.FromUnixTimeSeconds(m.Minute * 60))).ToArray(),
            [], [], [], KpiSnapshot.CurrentFormat);
        var serializer = new SalesDashSerializer((ExtendedActorSystem)system);
        var copy = (KpiSnapshot)serializer.FromBinary(serializer.ToBinary(snapshot), serializer.Manifest(snapshot));
        var recovered = new MinuteSeries(denseFrom);
        foreach (var bucket in copy.Buckets)
        {
            recovered.Add(bucket.Minute.ToUnixTimeSeconds() / 60, MinuteTotals.From(bucket));
        }

        return recovered;
    }
}
