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
using SalesDash.Engine.Ingestion;

namespace SalesDash.Web.Tests.Hosting;

/// <summary>
/// The one test host of Web.Tests: the whole app in memory (TestServer) with a fresh data folder, no demo, plans
/// out of the way (self-hosted), the <see cref="TestStore.All"/> stores and a frozen clock at
/// <see cref="WebAppFactory.Now"/>, so "today" and "last week" are fixed whatever the machine's time. What a test
/// needs beyond that comes in through <see cref="SalesDashHostOptions"/> (shared with EndToEnd.Tests' Kestrel host)
/// or an override of <see cref="ConfigureServices"/>, not through another copy of this class.
/// </summary>
public class SalesDashHost(SalesDashHostOptions? options = null) : WebApplicationFactory<Program>
{
    private bool _ownsDataDirectory = options?.DataDirectory is null;
    private bool _ownsClickHouseDatabase = options?.ClickHouseDatabase is null;

    public SalesDashHostOptions Options { get; } = options ?? new SalesDashHostOptions();

    public FakeTimeProvider Clock { get; } = new(WebAppFactory.Now);

    public string DataDirectory { get; } = options?.DataDirectory ?? Directory.CreateTempSubdirectory("salesdash-host-").FullName;

    /// <summary>The history database on the ClickHouse server when <see cref="SalesDashHostOptions.History"/> is "ClickHouse".</summary>
    public string ClickHouseDatabase { get; } = options?.ClickHouseDatabase ?? $"salesdash_web_{Guid.NewGuid():N}";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Most test hosts never read the OpenAPI document; generating it at each start would cost every one of them
        // a second of CPU. OpenApiTests turns it back on through Settings, which come later and win.
        builder.UseSetting("OpenApi:AtStart", "false");
        foreach (var (key, value) in Options.Configuration(DataDirectory, [.. TestStore.All.Select(s => s.Hosted)], ClickHouseDatabase, ClickHouseHistoryStore.ConnectionStringFor))
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            Options.Services?.Invoke(services);
            ConfigureServices(services);
        });
    }

    /// <summary>For hosts that swap services that belong to the instance (a fake upstream the test drives).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>
    /// Services that put <paramref name="wrap"/> around whatever ingest the app composed (embedded, Kafka, decorated), so
    /// a test can watch or stall events at the door while the real ingest still does the work.
    /// </summary>
    public static Action<IServiceCollection> WrapIngest(Func<ICommerceEventIngest, ICommerceEventIngest> wrap) => services =>
    {
        var composed = services.Last(d => d.ServiceType == typeof(ICommerceEventIngest));
        services.Remove(composed);
        services.AddSingleton(sp => wrap((ICommerceEventIngest)(composed.ImplementationInstance
            ?? composed.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, composed.ImplementationType!))));
    };

    /// <summary>
    /// Services without any cluster job, for a test that runs a job's passes itself: the cluster-jobs singleton runs every
    /// job once as it starts (whenever that is), then each tick, so a late start's pass can race the test's own (ci47:
    /// the report schedule took an abandoned send over first and was still mailing it when the test read the send). A test
    /// resolves the job it drives by its own type.
    /// </summary>
    public static void WithoutClusterJobs(IServiceCollection services) => services.RemoveAll<SalesDash.Engine.Clustering.IClusterJob>();

    /// <summary>Waits until every fact this host's entities handed over (orders, shipments, traffic) is in the history store.</summary>
    public async Task FlushHistoryAsync()
    {
        var writer = await Services.GetRequiredService<ActorRegistry>().GetAsync<HistoryWriter>();
        await writer.Ask<HistoryWriter.Flushed>(HistoryWriter.FlushNow.Instance, TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// The journal-restart helper: stops this host and starts the app again on the same data folder (journal, app
    /// database, history) and history store, as a restarted server or the next node does, with <paramref name="change"/>
    /// applied to the options (e.g. other settings). The new host takes over the clean-up this one owned; its clock
    /// starts where this one's was.
    /// </summary>
    public async Task<SalesDashHost> RestartAsync(Func<SalesDashHostOptions, SalesDashHostOptions>? change = null)
    {
        var next = (change ?? (o => o))(Options with { DataDirectory = DataDirectory, ClickHouseDatabase = ClickHouseDatabase });
        var restarted = new SalesDashHost(next)
        {
            _ownsDataDirectory = _ownsDataDirectory,
            _ownsClickHouseDatabase = _ownsClickHouseDatabase && Options.History == "ClickHouse",
        };
        restarted.Clock.SetUtcNow(Clock.GetUtcNow());
        (_ownsDataDirectory, _ownsClickHouseDatabase) = (false, false);
        await DisposeAsync();
        return restarted;
    }

    /// <summary>Drops a ClickHouse history database once every host using it is gone.</summary>
    public static async Task DropClickHouseDatabaseAsync(string database)
    {
        using var server = new ClickHouseClient(ClickHouseHistoryStore.ConnectionStringFor(SalesDashHostOptions.ClickHouseUrl(), "default") + ";JsonReadMode=None;JsonWriteMode=None");
        await server.ExecuteNonQueryAsync($"DROP DATABASE IF EXISTS {database}");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        if (_ownsClickHouseDatabase && Options.History == "ClickHouse")
        {
            _ownsClickHouseDatabase = false;
            await DropClickHouseDatabaseAsync(ClickHouseDatabase);
        }

        if (!_ownsDataDirectory)
        {
            return;
        }

        _ownsDataDirectory = false;
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing store leaves a temp folder behind; the results stand.
        }
    }
}
