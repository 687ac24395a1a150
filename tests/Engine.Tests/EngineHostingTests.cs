using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace SalesDash.Engine.Tests;

public sealed class EngineHostingTests
{
    [Fact]
    public async Task ClickHouse_snapshots_without_a_connection_string_are_refused_at_start_with_a_clear_message()
    {
        using var data = new TempDirectory();
        using var host = EngineHost.Build(data.Path, new FakeTimeProvider(), new Dictionary<string, string?> { ["Engine:Snapshots"] = "ClickHouse" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Engine:Snapshots=ClickHouse needs Engine:SnapshotConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Engine:TilePublishInterval", "00:00:00", "TilePublishInterval must be positive")]
    [InlineData("Engine:SnapshotFlushInterval", "-00:00:01", "SnapshotFlushInterval must be positive")]
    [InlineData("Engine:DataDirectory", " ", "DataDirectory must name a folder")]
    [InlineData("Engine:Journal", "PostgreSql", "needs Engine:JournalConnectionString")]
    public async Task Invalid_engine_settings_fail_the_start(string key, string value, string message)
    {
        using var data = new TempDirectory();
        using var host = EngineHost.Build(data.Path, new FakeTimeProvider(), new Dictionary<string, string?> { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_directory_is_created_and_holds_the_journal()
    {
        using var data = new TempDirectory();
        var folder = Path.Combine(data.Path, "nested", "data");
        using var host = EngineHost.Build(folder, new FakeTimeProvider());
        await host.StartAsync(TestContext.Current.CancellationToken);

        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.True(File.Exists(Path.Combine(folder, "journal.db")));

        // Stores and the rest of the app state are the host's, in the app database, never a file of the engine's.
        Assert.False(File.Exists(Path.Combine(folder, "app.db")));
    }
}
