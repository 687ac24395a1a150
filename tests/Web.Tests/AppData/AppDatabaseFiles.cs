using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SalesDash.Engine;
using SalesDash.Web.AppData;

namespace SalesDash.Web.Tests.AppData;

/// <summary>The bytes of a test app's SQLite app database as text, write-ahead log included (recent rows sit there first).</summary>
internal static class AppDatabaseFiles
{
    public static async Task<string> ReadAllTextAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var folder = services.GetRequiredService<IOptions<EngineOptions>>().Value.DataDirectory;
        var file = Path.Combine(folder, AppDatabase.SqliteFileName);
        Assert.True(File.Exists(file), $"No app database at {file}");
        var text = new StringBuilder();
        foreach (var part in new[] { file, file + "-wal" }.Where(File.Exists))
        {
            text.Append(Encoding.UTF8.GetString(await File.ReadAllBytesAsync(part, cancellationToken)));
        }

        return text.ToString();
    }
}
