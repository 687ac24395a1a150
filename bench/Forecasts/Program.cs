using System.Globalization;
using SalesDash.Bench.Forecasts;
using SalesDash.Connectors.Datasets.OnlineRetail;

// Forecast accuracy and alert precision/recall on the Online Retail data set. Prints figures; asserts nothing.
// Usage: dotnet run --project bench/Forecasts -c Release -- [path to online-retail csv] [holdout days] [all|forecasts|alerts|drops|variants|calibrate|oracle] [seeds] [half]
var path = args.Length > 0 ? args[0] : FindDataSet();
var holdout = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
var read = await OnlineRetailCsv.ReadFileAsync(path, CancellationToken.None);
Console.WriteLine($"Data set: {path} ({read.Lines.Count} lines, {read.Errors.Count} unreadable)");
Console.WriteLine();

var part = args.Length > 2 ? args[2] : "all";
if (part is "calibrate")
{
    AlertBench.Calibrate(read.Lines, [("outlier 3 (before)", new() { OutlierSpreads = 3 }), ("shipped", new())]);
    return 0;
}

if (part is "oracle")
{
    // Issue 19 pt 4's ceiling: the expectation known, the best count tests, beside the product's drop test.
    AlertBench.Oracle(read.Lines);
    return 0;
}

if (part is "expectation")
{
    // Where the product's expectation of a judged drop's window stands against the oracle's.
    AlertBench.Expectation(read.Lines, [("shipped", new()), ("no outlier cut", new() { OutlierSpreads = 1e6 }), ("level 60 min", new() { LevelMinutes = 60 }), ("level 360 min", new() { LevelMinutes = 360 }), ("14 reference days", new() { ReferenceDays = 14 })]);
    return 0;
}

if (part is "variants")
{
    // Stop 22: the one-shot scan of stop 21 beside minute-by-minute evidence (a Poisson CUSUM gated by the scan's
    // re-arm tail), at three tails; chosen on the synthetic columns (plain and seasonal) only.
    // Optional: "variants TAILS CUSUMS GATES" (comma lists) to run a part of the grid.
    static double[] List(string text) => [.. text.Split(',').Select(t => double.Parse(t, CultureInfo.InvariantCulture))];
    var variants = new List<(string, SalesDash.Engine.Anomalies.OrderDropOptions)>();
    foreach (var tail in args.Length > 3 ? List(args[3]) : [3e-5, 1e-4, 3e-4])
    {
        foreach (var cusum in args.Length > 4 ? List(args[4]) : AlertBench.CusumThresholds)
        {
            foreach (var gate in cusum == 0 ? [0.05] : args.Length > 5 ? List(args[5]) : [0.05])
            {
                // Optional sixth list: the reference days (stop 24: 7 against more, the expectation's own noise).
                foreach (var days in args.Length > 6 ? List(args[6]) : [7])
                {
                    variants.Add(($"tail {tail:0e0} cusum {cusum} gate {gate:0e0} days {days}", new() { TailProbability = tail, CusumThreshold = cusum, CusumGateTail = gate, ReferenceDays = (int)days }));
                }
            }
        }
    }

    AlertBench.Variants(read.Lines, variants);
    return 0;
}

if (part is not ("all" or "forecasts" or "alerts" or "drops"))
{
    Console.Error.WriteLine($"Unknown part '{part}'; use all, forecasts, alerts, drops (the drop test alone, without the app's rules), variants, calibrate or oracle (the ceiling of a count-based detector).");
    return 1;
}

if (part is "all" or "forecasts")
{
    ForecastBench.Run(read.Lines, holdout);
    Console.WriteLine();
}

if (part is "all" or "alerts" or "drops")
{
    // Seeded drop plans per drop size and length (each a replay with one drop on every judged day).
    var seeds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 2;

    // "half" as the fifth argument: the -50% drops only (the goal), half the minutes.
    AlertBench.Run(read.Lines, seeds, dropTestOnly: part == "drops", halvingsOnly: args.Length > 4 && args[4] == "half");
}

return 0;

static string FindDataSet()
{
    foreach (var candidate in new[] { "/work/shared/datasets/online-retail/online-retail-sample-30k.csv", "src/Web/Demo/Data/online-retail-sample-30k.csv.gz" })
    {
        if (File.Exists(candidate))
        {
            return candidate;
        }
    }

    throw new FileNotFoundException("Pass the Online Retail CSV (plain or gzipped) as the first argument.");
}
