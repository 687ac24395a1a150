using System.Net.Http.Json;
using System.Text.Json;
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

namespace SalesDash.Web.Tests.History;

/// <summary>
/// The whole app in memory on either history store: DuckDB (the default, a file in a fresh data folder) or a fresh
/// database on the ClickHouse server ./test.sh starts (SALESDASH_CLICKHOUSE_URL; missing means the test fails).
/// The clock is frozen at <see cref="WebAppFactory.Now"/>; the stores are <see cref="TestStore.All"/>.
/// </summary>
/// <param name="settings">Extra configuration (e.g. Imports:*), applied after the defaults.</param>
/// <param name="services">Extra service changes, applied after the app's own.</param>
public sealed class HistoryApp(string snapshots, IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? services = null)
    : WebApplicationFactory<Program>
{
    public const string ClickHouseUrlVariable = "SALESDASH_CLICKHOUSE_URL";

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("salesdash-history-").FullName;
    private readonly string _clickHouseDatabase = $"salesdash_web_{Guid.NewGuid():N}";

    public FakeTimeProvider Clock { get; } = new(WebAppFactory.Now);

    public static Uri ClickHouseUrl() =>
        Environment.GetEnvironmentVariable(ClickHouseUrlVariable) is { Length: > 0 } url
            ? new Uri(url)
            : throw new InvalidOperationException(
                $"{ClickHouseUrlVariable} is not set: start ClickHouse with scripts/services/clickhouse.sh (./test.sh does) and export its URL.");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Engine:DataDirectory", _dataDirectory);
        builder.UseSetting("Engine:TilePublishInterval", "00:00:00.100");
        builder.UseSetting("Engine:SnapshotFlushInterval", "00:00:00.200");
        builder.UseSetting("Demo:Enabled", "false");
        // Features, not plans, are under test here: a self-hosted install puts every organisation on Enterprise.
        builder.UseSetting("Plans:SelfHosted", "true");
        if (snapshots == "ClickHouse")
        {
            builder.UseSetting("Engine:Snapshots", "ClickHouse");
            builder.UseSetting("Engine:SnapshotConnectionString", ClickHouseHistoryStore.ConnectionStringFor(ClickHouseUrl(), _clickHouseDatabase));
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

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(collection =>
        {
            collection.RemoveAll<TimeProvider>();
            collection.AddSingleton<TimeProvider>(Clock);
            services?.Invoke(collection);
        });
    }

    /// <summary>Uploads a file to the imports API and waits until the import has finished; returns its final progress.</summary>
    public async Task<ImportBody> ImportAsync(string tenantId, string storeId, byte[] file, string fileName, CancellationToken ct, string? format = null)
    {
        var client = this.CreateSignedInClient();
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(file), "file", fileName);
        if (format is not null)
        {
            form.Add(new StringContent(format), "format");
        }

        using var response = await client.PostAsync($"/api/imports/{tenantId}/{storeId}", form, ct);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var started = (await response.Content.ReadFromJsonAsync<ImportBody>(Json, ct))!;
        Assert.Equal($"/api/imports/{started.Id}", response.Headers.Location?.OriginalString);

        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            var progress = (await client.GetFromJsonAsync<ImportBody>($"/api/imports/{started.Id}", Json, ct))!;
            if (progress.Status is "Completed" or "Failed")
            {
                await FlushHistoryAsync();
                return progress;
            }

            Assert.True(DateTime.UtcNow < deadline, $"import still {progress.Status} at {progress.RowsDone}/{progress.TotalRows} rows");
            await Task.Delay(100, ct);

            // The frozen clock moves with the wait, so the import's rows per second and ETA are measured against it.
            Clock.Advance(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Waits until every fact the entities handed over is in the history store.</summary>
    public async Task FlushHistoryAsync()
    {
        var registry = Services.GetRequiredService<ActorRegistry>();
        var writer = await registry.GetAsync<HistoryWriter>();
        await writer.Ask<HistoryWriter.Flushed>(HistoryWriter.FlushNow.Instance, TimeSpan.FromSeconds(60));
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (snapshots == "ClickHouse")
        {
            using var server = new ClickHouseClient(ClickHouseHistoryStore.ConnectionStringFor(ClickHouseUrl(), "default") + ";JsonReadMode=None;JsonWriteMode=None");
            await server.ExecuteNonQueryAsync($"DROP DATABASE IF EXISTS {_clickHouseDatabase}");
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

public sealed record ImportErrorBody(int Line, string Message);

public sealed record ImportBody(
    Guid Id, string TenantId, string StoreId, string Format, string FileName, string Status, int TotalRows, int RowsDone, double? RowsPerSecond,
    double? EtaSeconds, int EventsAccepted, int EventsDuplicate, int ErrorCount, ImportErrorBody[] Errors, string? Failure);

public sealed record KpiBody(decimal? Value, decimal? Previous, decimal? Change, decimal? ChangeRatio);

public sealed record KpisBody(
    KpiBody GrossRevenue, KpiBody NetRevenue, KpiBody Orders, KpiBody AverageOrderValue, KpiBody ConversionRate, KpiBody UnitsSold,
    KpiBody Refunds, KpiBody NewCustomers, KpiBody ReturningCustomers, KpiBody Sessions, KpiBody CancelledOrders);

public sealed record PeriodBody(string Name, DateOnly From, DateOnly To, DateTimeOffset FromUtc, DateTimeOffset ToUtc);

public sealed record SummaryBody(string TenantId, string? StoreId, string Currency, string TimeZone, PeriodBody Period, PeriodBody? Comparison, KpisBody Kpis);

public sealed record PointBody(DateTime Start, DateTimeOffset StartUtc, decimal GrossRevenue, decimal NetRevenue, long Orders, long Units, decimal Refunds,
    decimal? AverageOrderValue, long Sessions, decimal? ConversionRate);

public sealed record TrendBody(string Grain, PeriodBody Period, PointBody[] Points, PointBody[]? ComparisonPoints);

public sealed record RowBody(int Rank, string Key, string Label, decimal GrossRevenue, decimal? RevenueShare, long Orders, long Units,
    decimal? AverageOrderValue, decimal Refunds, long RefundedUnits, decimal? ReturnRate, long Sessions, KpiBody Revenue);

public sealed record BreakdownBody(string By, string RankedBy, string Currency, int TotalGroups, RowBody[] Rows);
