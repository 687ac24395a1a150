namespace SalesDash.EndToEnd.Tests.Hosting;

/// <summary>Finds the clone the tests run from, so paths work from bin/ on any machine and in CI.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    /// <summary>A path under the repository root, e.g. <c>Combine("artifacts", "screenshots")</c>.</summary>
    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "SalesDash.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No SalesDash.sln above {AppContext.BaseDirectory}; the tests must run from a clone.");
    }
}
