// Scores SalesDash's anomaly detectors on the Numenta Anomaly Benchmark with NAB's own scoring rules and prints
// the per-corpus and overall scores next to NAB's published scoreboard.
// Usage: dotnet run -c Release --project bench/Anomalies [-- --nab <folder>] [--window <points>] [--sensitivity <0..100>]
//        dotnet run -c Release --project bench/Anomalies -- --memory [--shopify-ids] [--small-stores 10000]
//          (one busy store's live state in memory; optionally with realistic id lengths, and many small stores)
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SalesDash.Bench.Anomalies;
using SalesDash.Engine.Anomalies.Nab;

if (args is ["--memory", ..])
{
    var smallStores = Array.IndexOf(args, "--small-stores") is var at and >= 0 && at + 1 < args.Length
        ? int.Parse(args[at + 1], CultureInfo.InvariantCulture)
        : 0;
    StoreMemory.Run(args.Contains("--shopify-ids"), smallStores);
    return 0;
}

var options = BenchArguments.Parse(args);
var nabRoot = options.NabRoot ?? Path.Combine(BenchArguments.RepositoryRoot(), "..", "shared", "datasets", "nab");
nabRoot = Path.GetFullPath(nabRoot);

var clock = Stopwatch.StartNew();
var files = NabDataSet.Load(nabRoot);
if (files.Count == 0)
{
    Console.Error.WriteLine($"No labelled NAB data files under {nabRoot}/data.");
    return 1;
}

if (options.Explore)
{
    Explore.Run(files, options.WindowSize, options.Sensitivity);
    return 0;
}

NabDetector[] detectors =
[
    NabDetectors.SpectralResidual(options.WindowSize, options.Sensitivity),
    NabDetectors.Combined(options.WindowSize, options.Sensitivity),
    NabDetectors.Likelihood(options.WindowSize, options.Sensitivity),
];

// One task per (detector, file); each detector instance sees its file row by row, as in production.
var scores = new double[detectors.Length][][];
for (var d = 0; d < detectors.Length; d++)
{
    scores[d] = new double[files.Count][];
}

var work = Enumerable.Range(0, detectors.Length).SelectMany(d => Enumerable.Range(0, files.Count).Select(f => (d, f)))
    .OrderByDescending(job => files[job.f].Values.Length)
    .ToList();
Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, job =>
{
    scores[job.d][job.f] = detectors[job.d].Run(files[job.f]);
});
var detectSeconds = clock.Elapsed.TotalSeconds;

var profiles = new (string Name, NabCostMatrix Cost)[]
{
    ("standard", NabCostMatrix.Standard),
    ("reward_low_FP_rate", NabCostMatrix.RewardLowFpRate),
    ("reward_low_FN_rate", NabCostMatrix.RewardLowFnRate),
};

var corpora = files.Select(f => f.Corpus).Distinct().Order(StringComparer.Ordinal).ToList();
var nullFiles = files.Select(f => NabScoredFile.NullDetector(f.Name, f.Timestamps, f.Windows)).ToList();
var results = new Dictionary<(string Detector, string Profile), NabEvaluation>();
foreach (var (profileName, cost) in profiles)
{
    for (var d = 0; d < detectors.Length; d++)
    {
        var scored = files.Select((f, i) => new NabScoredFile(f.Name, f.Timestamps, scores[d][i], f.Windows)).ToList();
        results[(detectors[d].Name, profileName)] = NabEvaluation.Run(files, scored, nullFiles, corpora, cost);
    }
}

var totalRows = files.Sum(f => f.Values.Length);
var totalWindows = files.Sum(f => f.Windows.Length);
Console.WriteLine($"NAB subset at {nabRoot}: {files.Count} files, {totalRows:N0} rows, {totalWindows} windows, {corpora.Count} corpora.");
Console.WriteLine($"Detection took {detectSeconds:F1} s on {Environment.ProcessorCount} cores.");
foreach (var detector in detectors)
{
    Console.WriteLine($"  {detector.Name}: {detector.Description}");
}

Console.WriteLine();
Console.WriteLine("Standard profile, normalised NAB score (0 = null detector, 100 = perfect), threshold optimised over all files:");
Console.WriteLine();
var header = $"| {"Corpus",-24} | {"Files",5} | {"Windows",7} |" + string.Concat(detectors.Select(d => $" {d.Name,11} |"));
Console.WriteLine(header);
Console.WriteLine("|" + string.Concat(header.Skip(1).Select(c => c == '|' ? '|' : '-')));
foreach (var corpus in corpora)
{
    var inCorpus = files.Where(f => f.Corpus == corpus).ToList();
    Console.WriteLine($"| {corpus,-24} | {inCorpus.Count,5} | {inCorpus.Sum(f => f.Windows.Length),7} |"
        + string.Concat(detectors.Select(d => $" {results[(d.Name, "standard")].PerCorpus[corpus],11:F1} |")));
}

Console.WriteLine($"| {"Overall (these corpora)",-24} | {files.Count,5} | {totalWindows,7} |"
    + string.Concat(detectors.Select(d => $" {results[(d.Name, "standard")].Overall,11:F1} |")));

Console.WriteLine();
Console.WriteLine("All profiles, overall (threshold and raw score / null detector's raw score / perfect):");
foreach (var (profileName, _) in profiles)
{
    foreach (var detector in detectors)
    {
        var r = results[(detector.Name, profileName)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {profileName,-19} {detector.Name,-12} {r.Overall,6:F1}   threshold {r.Threshold:F4}  raw {r.Raw:F2} / null {r.NullRaw:F2} / perfect {r.Perfect:F0}  TP {r.Counts.TruePositives} FP {r.Counts.FalsePositives}"));
    }
}

var published = Path.Combine(nabRoot, "results", "final_results.json");
if (File.Exists(published))
{
    using var doc = JsonDocument.Parse(File.ReadAllText(published));
    var board = doc.RootElement.EnumerateObject()
        .Select(p => (Name: p.Name, Standard: p.Value.GetProperty("standard").GetDouble()))
        .OrderByDescending(p => p.Standard)
        .ToList();
    Console.WriteLine();
    Console.WriteLine("Published NAB scoreboard (results/final_results.json, standard profile, all 7 corpora / 58 files):");
    foreach (var (name, standard) in board)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-18} {standard,6:F1}"));
    }
}

Console.WriteLine();
Console.WriteLine($"Total {clock.Elapsed.TotalSeconds:F1} s.");
return 0;
