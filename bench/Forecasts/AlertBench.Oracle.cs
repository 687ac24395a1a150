using System.Globalization;
using MathNet.Numerics;
using SalesDash.Connectors.Datasets.OnlineRetail;
using SalesDash.Engine.Anomalies;

namespace SalesDash.Bench.Forecasts;

/// <summary>
/// The ceiling of any detector that judges the store's order count: an oracle that is told each minute's expected
/// orders from the same replay without the injected drop (it cheats on the expectation, the part the product has to
/// estimate from previous days) and runs the best tests on counts, its threshold set on the undropped replay to at most
/// 0.2 false alerts a day. What it misses, no count-based detector finds at that false rate on that data.
/// </summary>
internal static partial class AlertBench
{
    /// <summary>
    /// How the oracle reads the expected rate of a minute from the undropped trade: the mean orders a minute over the
    /// minutes within <c>Reach</c> of it, leaving out those nearer than <c>Hole</c>. A minute's own count cannot be its
    /// expectation (a thinned count against the counts it was thinned from is found at once, by no test a store could
    /// run), so the rate is smoothed; ±60 still holds a drop's own untouched minutes (it cheats the most), the hole leaves
    /// out the half hour around the minute.
    /// </summary>
    private static readonly (string Name, int Reach, int Hole)[] OracleRates = [("rate ±60 min", 60, 0), ("rate ±90, ±30 out", 90, 30)];

    /// <summary>The CUSUM's thresholds (log-likelihood ratio of a halving) and the scan's tails the oracle's calibration picks from.</summary>
    private static readonly double[] OracleCusums = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 24, 28, 32, 40];

    private static readonly double[] OracleTails = [1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6, 3e-7, 1e-7, 3e-8, 1e-8, 1e-9, 1e-10, 1e-12];

    /// <summary>The scan's windows: every 5 minutes from a quarter hour to an hour, the drop's start unknown.</summary>
    private static readonly int[] OracleWindows = [15, 20, 25, 30, 35, 40, 45, 50, 55, 60];

    /// <summary>
    /// The hours the oracle watches, [9:00, 17:00): the drops start from 10:00 to 14:45 and are matched up to 16:00. A
    /// cheat that only helps it (no false alert at night), and it keeps the smoothed rate's edges out: at the shop's
    /// opening a rate read across the edge expects orders before the first one.
    /// </summary>
    private const int WatchFrom = 9 * 60, WatchTo = 17 * 60;

    /// <summary>Undropped worlds drawn per replay to calibrate the Poisson-world oracle (false alerts a day to 1/560).</summary>
    private const int PoissonWorlds = 40;

    /// <summary>The oracle's false alerts a day allowed on the undropped replay (the budget, all of it).</summary>
    private const double OracleFalseBudget = 0.2;

    /// <summary>
    /// `oracle` mode: for replay A and B, the oracle's recall on −50 % drops of 30 and 60 minutes (drop plans 1..2, the
    /// README's, and 3..6) beside the product's drop test alone on the same drops, and a Poisson world at the same rates
    /// (counts drawn from the oracle's rate, so the expectation is exact and no burst or day-to-day spread is left).
    /// </summary>
    public static void Oracle(IReadOnlyList<RetailLine> lines)
    {
        var product = new OrderDropOptions();
        Console.WriteLine($"## Oracle: the expectation known, the best count tests, threshold at <= {OracleFalseBudget} false a day on the undropped replay; load average {LoadAverage()}");
        Console.WriteLine("| replay | detector | threshold | false a day, undropped (all 14 days) | false a day, dropped runs | s1-2: 30 / 60 min | s3-6: 30 / 60 min |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, trade) in Trades(lines))
        {
            var plans = new[] { (Seeds: "s1-2", From: 1, Count: 2), (Seeds: "s3-6", From: 3, Count: 4) };
            var runs = plans.ToDictionary(p => p.Seeds, p => Enumerable.Range(p.From, p.Count).SelectMany(seed => new[] { 30, 60 }.Select(length => Replay.Make(trade, 0.5, length, seed))).ToList());
            var cells = plans.Select(p => Cell(runs[p.Seeds].Select(r => (r, DropFires(r, product))))).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name[..1]} | product's drop test alone | shipped | {Score([(new Replay(0, 30, [], trade), DropFires(new Replay(0, 30, [], trade), product))], 0, Days).FalsePerDay:0.000} | {cells[0].False:0.000} | {cells[0].Recall} | {cells[1].Recall} |"));
            foreach (var line in OracleRows(name[..1], trade, runs["s1-2"], runs["s3-6"]))
            {
                Console.WriteLine(line);
            }
        }

        Console.WriteLine($"load average {LoadAverage()}");

        static (string Recall, double False) Cell(IEnumerable<(Replay Replay, List<DateTimeOffset> Fired)> fires)
        {
            var list = fires.ToList();
            var thirty = Score(list.Where(f => f.Replay.Length == 30), WarmUpDays, Days);
            var sixty = Score(list.Where(f => f.Replay.Length == 60), WarmUpDays, Days);
            return (string.Create(CultureInfo.InvariantCulture, $"{thirty.Recall:P0} / {sixty.Recall:P0}"), Score(list, WarmUpDays, Days).FalsePerDay);
        }
    }

    /// <summary>
    /// The oracle's rows for one replay: each way of reading the rate × {CUSUM, scan}, the threshold the undropped replay
    /// allows, then a Poisson world. <paramref name="held"/> may be empty (the `alerts` run prints its own plans only).
    /// </summary>
    private static IEnumerable<string> OracleRows(string replay, List<(DateTimeOffset At, decimal Total)> trade, List<Replay> runs, List<Replay> held)
    {
        var clean = MinuteCounts(trade);
        var undropped = new Replay(0, 30, [], trade);
        var counts = runs.Concat(held).ToDictionary(r => r, r => MinuteCounts(r.Orders));
        foreach (var (rateName, reach, hole) in OracleRates)
        {
            var rate = SmoothedRate(clean, reach, hole);
            yield return $"| {replay} | oracle, {rateName}: untouched windows' variance over Poisson's, watched hours | 30 min {Dispersion(clean, rate, 30)}, 60 min {Dispersion(clean, rate, 60)} | | | | |";
            var scans = new Dictionary<int[], double[]>(ReferenceEqualityComparer.Instance);
            foreach (var (detector, thresholds) in new[] { ("CUSUM of a halving", OracleCusums), ("Poisson scan 15-60 min", OracleTails) })
            {
                List<DateTimeOffset> Fire(int[] minutes, double threshold) => detector.StartsWith("CUSUM", StringComparison.Ordinal)
                    ? OracleCusum(minutes, rate, threshold)
                    : OracleScan(scans.TryGetValue(minutes, out var lowest) ? lowest : scans[minutes] = ScanTails(minutes, rate), threshold);

                // The most sensitive threshold within the budget, on the undropped replay and outside the drops alike.
                var chosen = thresholds.Select(t => (Threshold: t,
                        Undropped: Score([(undropped, Fire(clean, t))], 0, Days).FalsePerDay,
                        Dropped: Score(runs.Select(r => (r, Fire(counts[r], t))), WarmUpDays, Days).FalsePerDay))
                    .Where(t => t.Undropped <= OracleFalseBudget && t.Dropped <= OracleFalseBudget)
                    .OrderBy(t => detector.StartsWith("CUSUM", StringComparison.Ordinal) ? t.Threshold : -t.Threshold)
                    .FirstOrDefault();
                if (chosen.Threshold == 0)
                {
                    yield return $"| {replay} | oracle, {rateName}, {detector} | none in the grid within the budget | | | | |";
                    continue;
                }

                yield return Row(replay, $"oracle, {rateName}, {detector}", chosen.Threshold, chosen.Undropped,
                    [.. runs.Select(r => (r, Fire(counts[r], chosen.Threshold)))],
                    [.. held.Select(r => (r, Fire(counts[r], chosen.Threshold)))]);
            }
        }

        // A Poisson world at the replay's rates: every minute's count drawn from the ±60 rate (halved inside a drop), the
        // test told that rate exactly. No burst, no day-to-day spread, no error in the expectation: the arithmetic's bound.
        var world = SmoothedRate(clean, 60, 0);
        var calm = Enumerable.Range(0, PoissonWorlds).Select(w => Draw(world, [], 1000 + w)).ToList();
        // Each plan's five worlds drawn from their own seeds (the plan set, the plan and the world's number), so the two
        // sets of plans are not the same draws with the drops moved.
        List<(Replay Plan, int[] Counts)> Worlds(List<Replay> plans, int set) => [.. plans.SelectMany((p, i) => Enumerable.Range(0, 5).Select(w => (p, Draw(world, p.Drops, (set * 100_000) + (i * 100) + w))))];
        var (runWorlds, heldWorlds) = (Worlds(runs, 1), Worlds(held, 2));
        yield return $"| {replay} | Poisson world: variance over Poisson's, watched hours | 30 min {Dispersion(calm[0], world, 30)}, 60 min {Dispersion(calm[0], world, 60)} | | | | |";
        var worldScans = new Dictionary<int[], double[]>(ReferenceEqualityComparer.Instance);
        foreach (var (detector, thresholds) in new[] { ("CUSUM of a halving", OracleCusums), ("Poisson scan 15-60 min", OracleTails) })
        {
            List<DateTimeOffset> Fire(int[] minutes, double threshold) => detector.StartsWith("CUSUM", StringComparison.Ordinal)
                ? OracleCusum(minutes, world, threshold)
                : OracleScan(worldScans.TryGetValue(minutes, out var lowest) ? lowest : worldScans[minutes] = ScanTails(minutes, world), threshold);
            var chosen = thresholds.Select(t => (Threshold: t, Undropped: Score(calm.Select(c => (new Replay(0, 30, [], []), Fire(c, t))), 0, Days).FalsePerDay))
                .Where(t => t.Undropped <= OracleFalseBudget)
                .OrderBy(t => detector.StartsWith("CUSUM", StringComparison.Ordinal) ? t.Threshold : -t.Threshold)
                .FirstOrDefault();
            if (chosen.Threshold == 0)
            {
                yield return $"| {replay} | Poisson world, {detector} | none in the grid within the budget | | | | |";
                continue;
            }


            // Each plan's drops, in five worlds each.
            List<(Replay, List<DateTimeOffset>)> Drawn(List<(Replay Plan, int[] Counts)> worlds) => [.. worlds.Select(w => (w.Plan, Fire(w.Counts, chosen.Threshold)))];
            yield return Row(replay, $"Poisson world (±60 rate exact, 5 draws a plan), {detector}", chosen.Threshold, chosen.Undropped, Drawn(runWorlds), Drawn(heldWorlds));
        }

        static string Row(string replay, string name, double threshold, double undropped, List<(Replay, List<DateTimeOffset>)> runs, List<(Replay, List<DateTimeOffset>)> held)
        {
            string Recalls(List<(Replay Replay, List<DateTimeOffset> Fired)> fires) => fires.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture,
                $"{Score(fires.Where(f => f.Replay.Length == 30), WarmUpDays, Days).Recall:P0} / {Score(fires.Where(f => f.Replay.Length == 60), WarmUpDays, Days).Recall:P0}");
            return string.Create(CultureInfo.InvariantCulture,
                $"| {replay} | {name} | {threshold:G3} | {undropped:0.000} | {Score(runs, WarmUpDays, Days).FalsePerDay:0.000} | {Recalls(runs)} | {Recalls(held)} |");
        }
    }

    /// <summary>
    /// How much the untouched trade's counts in back-to-back windows of the watched hours spread around the oracle's rate,
    /// against Poisson's own spread (1 when the rate is exact and the orders come one by one, independently).
    /// </summary>
    private static string Dispersion(int[] counts, double[] rate, int window)
    {
        double sum = 0;
        var n = 0;
        for (var day = 0; day < Days; day++)
        {
            for (var from = (day * 24 * 60) + WatchFrom; from + window <= (day * 24 * 60) + WatchTo; from += window)
            {
                var x = counts.AsSpan(from, window).ToArray().Sum();
                var e = rate.AsSpan(from, window).ToArray().Sum();
                if (e > 1)
                {
                    sum += (x - e) * (x - e) / e;
                    n++;
                }
            }
        }

        return n == 0 ? "-" : (sum / n).ToString("0.00", CultureInfo.InvariantCulture);
    }

    private static int[] MinuteCounts(IEnumerable<(DateTimeOffset At, decimal Total)> orders)
    {
        var start = ToMinute(new DateTimeOffset(FirstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        var counts = new int[Days * 24 * 60];
        foreach (var o in orders)
        {
            counts[ToMinute(o.At) - start]++;
        }

        return counts;
    }

    /// <summary>Orders a minute around each minute: the mean over the minutes within <paramref name="reach"/>, those nearer than <paramref name="hole"/> left out.</summary>
    private static double[] SmoothedRate(int[] counts, int reach, int hole)
    {
        var prefix = new long[counts.Length + 1];
        for (var m = 0; m < counts.Length; m++)
        {
            prefix[m + 1] = prefix[m] + counts[m];
        }

        long Sum(int from, int to) => prefix[Math.Clamp(to + 1, 0, counts.Length)] - prefix[Math.Clamp(from, 0, counts.Length)];
        int Span(int from, int to) => Math.Max(0, Math.Min(to, counts.Length - 1) - Math.Max(from, 0) + 1);
        var rate = new double[counts.Length];
        for (var m = 0; m < counts.Length; m++)
        {
            var sum = Sum(m - reach, m + reach) - (hole > 0 ? Sum(m - hole + 1, m + hole - 1) : 0);
            var span = Span(m - reach, m + reach) - (hole > 0 ? Span(m - hole + 1, m + hole - 1) : 0);
            rate[m] = span == 0 ? 0 : sum / (double)span;
        }

        return rate;
    }

    /// <summary>
    /// The Poisson CUSUM of "half the expected orders" against "as expected", told the expectation: the optimal test
    /// for a halving of unknown start (Lorden); it fires at the threshold and starts again from 0.
    /// </summary>
    private static List<DateTimeOffset> OracleCusum(int[] counts, double[] rate, double threshold)
    {
        var start = ToMinute(new DateTimeOffset(FirstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        var fires = new List<DateTimeOffset>();
        var cusum = 0.0;
        for (var m = 0; m < counts.Length; m++)
        {
            if (m % (24 * 60) is < WatchFrom or >= WatchTo)
            {
                cusum = 0;
                continue;
            }

            cusum = Math.Max(0, cusum + (counts[m] * Math.Log(0.5)) + (0.5 * rate[m]));
            if (cusum >= threshold)
            {
                fires.Add(FromMinute(start + m + 1));
                cusum = 0;
            }
        }

        return fires;
    }

    /// <summary>
    /// The Poisson lower tail of each trailing window (15 to 60 minutes) against its known expectation; fires when the
    /// smallest is at most the tail and re-arms when every window is back above 0.05, as the product's test does.
    /// </summary>
    private static List<DateTimeOffset> OracleScan(double[] lowestTails, double tail)
    {
        var start = ToMinute(new DateTimeOffset(FirstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        var fires = new List<DateTimeOffset>();
        var armed = true;
        for (var m = 0; m < lowestTails.Length; m++)
        {
            if (!armed)
            {
                armed = lowestTails[m] > 0.05;
            }
            else if (lowestTails[m] <= tail)
            {
                fires.Add(FromMinute(start + m + 1));
                armed = false;
            }
        }

        return fires;
    }

    /// <summary>Each minute's smallest Poisson lower tail over the trailing windows (1 where a window is not below its mean).</summary>
    private static double[] ScanTails(int[] counts, double[] rate)
    {
        var observed = new long[counts.Length + 1];
        var expected = new double[counts.Length + 1];
        for (var m = 0; m < counts.Length; m++)
        {
            observed[m + 1] = observed[m] + counts[m];
            expected[m + 1] = expected[m] + rate[m];
        }

        var lowestTails = new double[counts.Length];
        Array.Fill(lowestTails, 1.0);
        for (var m = OracleWindows.Max() - 1; m < counts.Length; m++)
        {
            if (m % (24 * 60) is < WatchFrom or >= WatchTo)
            {
                continue;
            }

            var lowest = 1.0;
            foreach (var window in OracleWindows)
            {
                var x = observed[m + 1] - observed[m + 1 - window];
                var mean = expected[m + 1] - expected[m + 1 - window];
                if (x < mean)
                {
                    lowest = Math.Min(lowest, SpecialFunctions.GammaUpperRegularized(x + 1, mean));
                }
            }

            lowestTails[m] = lowest;
        }

        return lowestTails;
    }

    /// <summary>A Poisson world: each minute's orders drawn at the rate, halved inside the drops.</summary>
    private static int[] Draw(double[] rate, IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End)> drops, int seed)
    {
        var random = new Random(seed);
        var start = ToMinute(new DateTimeOffset(FirstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        var halved = new bool[rate.Length];
        foreach (var (from, to) in drops)
        {
            for (var m = ToMinute(from) - start; m < ToMinute(to) - start; m++)
            {
                halved[m] = true;
            }
        }

        var counts = new int[rate.Length];
        for (var m = 0; m < rate.Length; m++)
        {
            counts[m] = Poisson(random, halved[m] ? rate[m] / 2 : rate[m]);
        }

        return counts;
    }

    /// <summary>
    /// `expectation` mode: where the product's expectation of a judged drop's own window stands against the oracle's
    /// (the untouched trade's rate, ±90 minutes around a ±30 hole), found against missed, per replay and drop length
    /// (plans 1..6): the ratio of the two, how far each is from the untouched count, the product's claimed spread beyond
    /// Poisson, and the shortfall in the product's standard deviations with either expectation.
    /// </summary>
    public static void Expectation(IReadOnlyList<RetailLine> lines, IReadOnlyList<(string Name, OrderDropOptions Options)> variants)
    {
        var start = ToMinute(new DateTimeOffset(FirstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        var dayStart = new DateTimeOffset(FirstDay.AddDays(WarmUpDays).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        Console.WriteLine($"## The product's expectation against the oracle's at each judged drop's end, plans 1-6; load average {LoadAverage()}");
        foreach (var (name, trade) in Trades(lines))
        {
            var clean = MinuteCounts(trade);
            var oracle = SmoothedRate(clean, 90, 30);
            foreach (var length in new[] { 30, 60 })
            {
                var runs = Enumerable.Range(1, 6).Select(seed => Replay.Make(trade, 0.5, length, seed)).ToList();
                foreach (var (variant, options) in variants)
                {
                    var rows = new List<(bool Found, int Hour, double Clean, double Oracle, OrderDrop Drop)>();
                    foreach (var run in runs)
                    {
                        var fires = DropFires(run, options);
                        var ends = run.Drops.Where(x => x.Start >= dayStart).ToDictionary(x => ToMinute(x.End) - 1, x => x);
                        var counts = MinuteCounts(run.Orders);
                        var test = new OrderDropTest(start, options);
                        for (var m = 0; m < counts.Length; m++)
                        {
                            test.Learn(start + m, counts[m]);
                            if (ends.TryGetValue(start + m, out var x) && test.Assess(start + m, length) is { } drop)
                            {
                                var from = m - length + 1;
                                rows.Add((fires.Any(a => a > x.Start && a <= x.End.AddMinutes(MinuteMonitor.WindowMinutes)), x.Start.Hour,
                                    clean.AsSpan(from, length).ToArray().Sum(), oracle.AsSpan(from, length).ToArray().Sum(), drop));
                            }
                        }
                    }

                    foreach (var (group, list) in new[] { ("found", rows.Where(r => r.Found).ToList()), ("missed", rows.Where(r => !r.Found).ToList()) })
                    {
                        if (list.Count == 0)
                        {
                            continue;
                        }

                        static double Median(IEnumerable<double> v) => v.Order().ElementAt(v.Count() / 2);
                        static double Beyond(OrderDrop d) => Math.Sqrt(Math.Max(0, d.Variance - d.ExpectedOrders)) / d.ExpectedOrders;
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  {name[..1]} -50% {length} min {variant,-28} {group,-6} {list.Count,3}: before noon {list.Count(r => r.Hour < 12),2}; untouched {Median(list.Select(r => r.Clean)):0}, oracle {Median(list.Select(r => r.Oracle)):0.0}, product {Median(list.Select(r => r.Drop.ExpectedOrders)):0.0}; product/oracle {Median(list.Select(r => r.Drop.ExpectedOrders / r.Oracle)):0.00} (|log| {Median(list.Select(r => Math.Abs(Math.Log(r.Drop.ExpectedOrders / r.Oracle)))):0.00}), product/untouched |log| {Median(list.Select(r => Math.Abs(Math.Log(r.Drop.ExpectedOrders / Math.Max(1, r.Clean))))):0.00}, oracle/untouched |log| {Median(list.Select(r => Math.Abs(Math.Log(r.Oracle / Math.Max(1, r.Clean))))):0.00}; claimed spread beyond Poisson {Median(list.Select(r => Beyond(r.Drop))):P0}; shortfall sd {Median(list.Select(r => (r.Drop.ExpectedOrders - r.Drop.Orders) / Math.Sqrt(r.Drop.Variance))):0.0}, with the oracle's mean {Median(list.Select(r => (r.Oracle - r.Drop.Orders) / Math.Sqrt(r.Drop.Variance))):0.0}, Poisson alone {Median(list.Select(r => (r.Oracle - r.Drop.Orders) / Math.Sqrt(r.Oracle))):0.0}"));
                    }
                }
            }
        }
    }
}
