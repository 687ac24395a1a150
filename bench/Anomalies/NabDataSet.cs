using System.Globalization;
using System.Text.Json;
using SalesDash.Engine.Anomalies.Nab;

namespace SalesDash.Bench.Anomalies;

/// <summary>One NAB data file: its rows and its labelled windows.</summary>
/// <param name="Corpus">The corpus folder, e.g. "realKnownCause".</param>
/// <param name="Name">Path relative to the data folder, as the labels name it: "realKnownCause/nyc_taxi.csv".</param>
internal sealed record NabDataFile(string Corpus, string Name, DateTime[] Timestamps, double[] Values, NabWindow[] Windows)
{
    /// <summary>The typical time between rows (median), which the seasonal baseline uses as its step.</summary>
    public TimeSpan TypicalStep()
    {
        var deltas = new List<long>(Timestamps.Length);
        for (var i = 1; i < Timestamps.Length; i++)
        {
            var delta = (Timestamps[i] - Timestamps[i - 1]).Ticks;
            if (delta > 0)
            {
                deltas.Add(delta);
            }
        }

        deltas.Sort();
        return TimeSpan.FromTicks(deltas[deltas.Count / 2]);
    }
}

/// <summary>Loads NAB's data files and combined_windows.json labels as NAB's own corpus and labeler classes do.</summary>
internal static class NabDataSet
{
    private const string RowFormat = "yyyy-MM-dd HH:mm:ss";
    private const string WindowFormat = "yyyy-MM-dd HH:mm:ss.ffffff";

    /// <summary>Every CSV under <c>nabRoot/data</c> that has an entry in <c>nabRoot/labels/combined_windows.json</c>.</summary>
    public static IReadOnlyList<NabDataFile> Load(string nabRoot)
    {
        var labelsPath = Path.Combine(nabRoot, "labels", "combined_windows.json");
        var dataRoot = Path.Combine(nabRoot, "data");
        using var labels = JsonDocument.Parse(File.ReadAllText(labelsPath));

        var files = new List<NabDataFile>();
        foreach (var corpusDir in Directory.GetDirectories(dataRoot).Order(StringComparer.Ordinal))
        {
            var corpus = Path.GetFileName(corpusDir);
            foreach (var path in Directory.GetFiles(corpusDir, "*.csv").Order(StringComparer.Ordinal))
            {
                var name = $"{corpus}/{Path.GetFileName(path)}";
                if (!labels.RootElement.TryGetProperty(name, out var windowsJson))
                {
                    continue;
                }

                var windows = windowsJson.EnumerateArray()
                    .Select(w => new NabWindow(ParseWindowEdge(w[0]), ParseWindowEdge(w[1])))
                    .ToArray();
                var (timestamps, values) = ReadRows(path);
                files.Add(new NabDataFile(corpus, name, timestamps, values, windows));
            }
        }

        return files;
    }

    private static DateTime ParseWindowEdge(JsonElement edge)
        => DateTime.ParseExact(edge.GetString() ?? throw new InvalidDataException("Window edge is null."), WindowFormat, CultureInfo.InvariantCulture);

    private static (DateTime[] Timestamps, double[] Values) ReadRows(string path)
    {
        var timestamps = new List<DateTime>();
        var values = new List<double>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1 || line.Length == 0)
            {
                continue;
            }

            var comma = line.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0
                || !DateTime.TryParseExact(line.AsSpan(0, comma), RowFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                || !double.TryParse(line.AsSpan(comma + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw new InvalidDataException($"{path}:{lineNumber}: expected 'timestamp,value', got '{line}'.");
            }

            timestamps.Add(at);
            values.Add(value);
        }

        return ([.. timestamps], [.. values]);
    }
}
