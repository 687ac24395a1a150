using System.Text.Json.Nodes;

namespace SalesDash.Connectors.Tests;

/// <summary>Finds the repository's shared fixtures and data sets from wherever the test binaries run.</summary>
internal static class SharedFiles
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Shared(params string[] parts) => Path.GetFullPath(Path.Combine([RepoRoot, "..", "shared", .. parts]));

    public static string RetailCsv => Shared("datasets", "online-retail", "online-retail-sample-30k.csv");

    public static string RetailCsvGz => Path.Combine(RepoRoot, "src", "Web", "Demo", "Data", "online-retail-sample-30k.csv.gz");

    /// <summary>A Shopify fixture's inner object (the fixtures wrap it as {"order": {...}}; webhooks post it bare).</summary>
    public static JsonObject ShopifyFixture(string file, string wrapper)
    {
        var root = JsonNode.Parse(File.ReadAllText(Shared("fixtures", "shopify", file)))!.AsObject();
        return root[wrapper]!.DeepClone().AsObject();
    }

    private static string FindRepoRoot()
    {
        // The binaries may be built outside the repository (--artifacts-path); the source file's own path is the fallback.
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(ThisFile()) ?? string.Empty })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SalesDash.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"No SalesDash.sln above {AppContext.BaseDirectory} or {ThisFile()}");
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
