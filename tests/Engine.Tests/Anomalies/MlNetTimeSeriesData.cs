using System.Globalization;
using System.Runtime.CompilerServices;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>ML.NET's own time-series test inputs (dotnet/machinelearning test/data/Timeseries, MIT), from the shared data folder.</summary>
internal static class MlNetTimeSeriesData
{
    /// <summary>The "Value" column of one of the files, in order.</summary>
    public static double[] Load(string fileName)
    {
        var path = Path.Combine(SharedDatasets.Root(), "mlnet-timeseries", fileName);
        return File.ReadLines(path)
            .Skip(1)
            .Select(line => line.Trim().TrimStart('\uFEFF'))
            .Where(line => line.Length > 0)
            .Select(line => double.Parse(line, NumberStyles.Float, CultureInfo.InvariantCulture))
            .ToArray();
    }
}

/// <summary>Finds the shared data sets: next to the repository root, which holds SalesDash.sln.</summary>
internal static class SharedDatasets
{
    /// <summary>
    /// Walks up from the test binary to SalesDash.sln; when the binary was built into an artifacts folder outside
    /// the repository, walks up from this source file instead.
    /// </summary>
    public static string Root([CallerFilePath] string sourceFile = "")
    {
        var root = FindSolutionFolder(AppContext.BaseDirectory) ?? FindSolutionFolder(Path.GetDirectoryName(sourceFile))
            ?? throw new DirectoryNotFoundException($"SalesDash.sln not found above {AppContext.BaseDirectory} or {sourceFile}.");
        var datasets = Path.GetFullPath(Path.Combine(root, "..", "shared", "datasets"));
        return Directory.Exists(datasets)
            ? datasets
            : throw new DirectoryNotFoundException($"Shared data sets expected at {datasets}.");
    }

    private static string? FindSolutionFolder(string? start)
    {
        for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SalesDash.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
