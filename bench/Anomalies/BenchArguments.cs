using System.Globalization;

namespace SalesDash.Bench.Anomalies;

/// <summary>Command-line settings of the NAB run; the defaults are the ones the README's table was made with.</summary>
internal sealed record BenchArguments(string? NabRoot, int WindowSize, double Sensitivity, bool Explore = false, bool InSampleOnly = false, bool LikelihoodOnly = false)
{
    public static BenchArguments Parse(string[] args)
    {
        var result = new BenchArguments(null, 256, 80);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--explore")
            {
                result = result with { Explore = true };
                continue;
            }

            if (args[i] == "--likelihood-only")
            {
                result = result with { LikelihoodOnly = true };
                continue;
            }

            if (args[i] == "--in-sample-only")
            {
                result = result with { InSampleOnly = true };
                continue;
            }

            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            result = args[i] switch
            {
                "--nab" => result with { NabRoot = value },
                "--window" => result with { WindowSize = int.Parse(value, CultureInfo.InvariantCulture) },
                "--sensitivity" => result with { Sensitivity = double.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option {args[i]}; expected --nab, --window, --sensitivity, --explore, --in-sample-only or --likelihood-only."),
            };
            i++;
        }

        return result;
    }

    /// <summary>The folder holding SalesDash.sln, found by walking up from the working folder, then from the binary.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SalesDash.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("SalesDash.sln not found above the working folder or the binary; pass --nab <folder>.");
    }
}
