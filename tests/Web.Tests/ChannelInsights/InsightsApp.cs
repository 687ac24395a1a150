using Akka.Actor;
using Akka.Hosting;
using ClickHouse.Driver;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Engine.History;
using SalesDash.Engine.History.ClickHouse;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.ChannelInsights;

/// <summary>
/// The whole app in memory on either history store: DuckDB (a file in a fresh data folder) or a database on the ClickHouse
/// server ./test.sh starts (SALESDASH_CLICKHOUSE_URL; missing means the test fails). Several hosts given the same
/// <see cref="ClickHouseDatabase"/> share one history store as the nodes of a deployment do, each with its own data folder
/// (journal, channel connections). The clock is frozen at <see cref="WebAppFactory.Now"/>; the stores are <see cref="TestStore.All"/>.
/// </summary>
/// <param name="dataDirectory">A data folder to reuse (a restarted node); a fresh one is made and deleted when null.</param>
public sealed class InsightsApp(string snapshots, string? clickHouseDatabase = null, string? dataDirectory = null) : WebApplicationFactory<Program>
{
    private readonly string _dataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("salesdash-insights-").FullName;

    public string ClickHouseDatabase { get; } = clickHouseDatabase ?? $"salesdash_insights_{Guid.NewGuid():N}";

    public FakeTimeProvider Clock { get; } = new(WebAppFactory.Now);

    public static Uri ClickHouseUrl() =>
        Environment.GetEnvironmentVariable("SALESDASH_CLICKHOUSE_URL") is { Length: > 0 } url
            ? new Uri(url)
            : throw new InvalidOperationException(
                "SALESDASH_CLICKHOUSE_URL is not set: start ClickHouse with scripts/services/clickhouse.sh (./test.sh does) and export its URL.");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Engine:DataDirectory", _dataDirectory);
        builder.UseSetting("Engine:TilePublishInterval", "00:00:00.100");
        builder.UseSetting("Engine:SnapshotFlushInterval", "00:00:00.200");
        builder.UseSetting("Demo:Enabled", "false");
        // Features, not plans, are under test here: a self-hosted install puts every organisation on Enterprise.
        builder.UseSetting("Plans:SelfHosted", "true");
        builder.UseSetting("Channels:SchedulerEnabled", "false");
        if (snapshots == "ClickHouse")
        {
            builder.UseSetting("Engine:Snapshots", "ClickHouse");
            builder.UseSetting("Engine:SnapshotConnectionString", ClickHouseHistoryStore.ConnectionStringFor(ClickHouseUrl(), ClickHouseDatabase));
        }

        foreach (var (store, index) in TestStore.All.Select((s, i) => (s, i)))
        {
            var prefix = $"Stores:{index}:";
            builder.UseSetting(prefix + "TenantId", store.TenantId);
            builder.UseSetting(prefix + "StoreId", store.StoreId);
            builder.UseSetting(prefix + "Name", $"{store.TenantId} {store.StoreId}");
            builder.UseSetting(prefix + "ShopDomain", store.ShopDomain);
            builder.UseSetting(prefix + "Currency", store.Currency);
            builder.UseSetting(prefix + "TimeZone", store.TimeZone);
            builder.UseSetting(prefix + "WebhookSecret", store.WebhookSecret);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    /// <summary>Waits until every fact this host's entities handed over is in the history store.</summary>
    public async Task FlushHistoryAsync()
    {
        var writer = await Services.GetRequiredService<ActorRegistry>().GetAsync<HistoryWriter>();
        await writer.Ask<HistoryWriter.Flushed>(HistoryWriter.FlushNow.Instance, TimeSpan.FromSeconds(60));
    }

    /// <summary>Drops a test's ClickHouse database once every host using it is gone.</summary>
    public static async Task DropClickHouseDatabaseAsync(string database)
    {
        using var server = new ClickHouseClient(ClickHouseHistoryStore.ConnectionStringFor(ClickHouseUrl(), "default") + ";JsonReadMode=None;JsonWriteMode=None");
        await server.ExecuteNonQueryAsync($"DROP DATABASE IF EXISTS {database}");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (dataDirectory is not null)
        {
            return;
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing store leaves a temp folder behind; the results stand.
        }
    }
}
