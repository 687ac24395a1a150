using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Tests.Clustering;

/// <summary>
/// One engine node in its own host, as the web host starts it, on an ephemeral port with its own data folder and
/// the shared PostgreSQL journal. Timings are shortened so a crash is detected and downed within seconds.
/// </summary>
internal sealed class ClusterTestNode : IAsyncDisposable
{
    // Heartbeats every 500 ms, unreachable after ~3 s of silence, downed by keep-majority 3 s later: a crashed
    // node's stores answer again within ~7 s instead of Akka's production ~25 s, which a test cannot wait for.
    // down-all-when-unstable is off because the three nodes share one process: when a loaded CI machine pauses
    // that process for seconds, every node wakes to see the others silent, and SBR would down the whole cluster
    // for an "instability" no real deployment of separate machines would have.
    // Gossip and the leader's actions every 200 ms instead of every second: a join, a leave or a removal takes a few
    // rounds of each (Joining to Up, Leaving to Exiting to Removed), which cost these tests seconds per node started or
    // stopped. Only how soon the members agree changes, not what they agree on; the failure detector keeps its pause.
    private const string FastFailureDetection = """
        akka.cluster.failure-detector.heartbeat-interval = 500ms
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
        akka.cluster.split-brain-resolver.down-all-when-unstable = off
        akka.cluster.unreachable-nodes-reaper-interval = 250ms
        akka.cluster.sharding.retry-interval = 500ms
        akka.cluster.periodic-tasks-initial-delay = 200ms
        akka.cluster.gossip-interval = 200ms
        akka.cluster.leader-actions-interval = 200ms
        """;

    // A crash is ActorSystem.Terminate without coordinated shutdown: no Leave, no hand-off, no final snapshot;
    // the other nodes only see heartbeats stop, as when a process is killed.
    private const string TerminateIsACrash = "akka.coordinated-shutdown.run-by-actor-system-terminate = off";

    private ClusterTestNode(string name, IHost host)
    {
        Name = name;
        Host = host;
        System = host.Services.GetRequiredService<ActorSystem>();
        Ingest = host.Services.GetRequiredService<ICommerceEventIngest>();
        Tiles = host.Services.GetRequiredService<ITileQuery>();
    }

    public string Name { get; }

    public IHost Host { get; }

    public ActorSystem System { get; }

    public ICommerceEventIngest Ingest { get; }

    public ITileQuery Tiles { get; }

    /// <summary>False once crashed or stopped: the load balancer in front of the nodes stops sending to it.</summary>
    public bool Serving { get; private set; } = true;

    public Akka.Actor.Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    public static async Task<ClusterTestNode> StartAsync(string name, string dataRoot, TimeProvider time, string journal,
        string? seed, NodeLog log, CancellationToken ct, Action<IServiceCollection>? services = null, string? hocon = null,
        Action<AkkaConfigurationBuilder>? akka = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = EngineHost.Settings(Path.Combine(dataRoot, name));
        settings["Engine:Journal"] = "PostgreSql";
        settings["Engine:JournalConnectionString"] = journal;
        // A webhook waits at most this long for a node; then the sender retries elsewhere, as Shopify would.
        settings["Engine:AskTimeout"] = "00:00:05";
        settings["Cluster:DownUnreachableAfter"] = "00:00:03";
        if (seed is not null)
        {
            settings["Cluster:SeedNodes:0"] = seed;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(log.ProviderFor(name));
        builder.Services.AddSingleton(time);
        builder.Services.AddSalesDashEngine(builder.Configuration);
        builder.Services.AddSingleton<SalesDash.Engine.Stores.IStoreDirectory, SalesDash.Engine.Tests.Stores.InMemoryStoreDirectory>();
        services?.Invoke(builder.Services);
        builder.Services.AddAkka("salesdash", (configure, sp) => configure
            .AddHocon(FastFailureDetection + "\n" + TerminateIsACrash + "\n" + hocon, HoconAddMode.Prepend)
            .ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            })
            .AddSalesDashEngine(sp)
            .AddExtra(akka));
        var host = builder.Build();
        await host.StartAsync(ct);
        return new ClusterTestNode(name, host);
    }

    /// <summary>The stores whose entities live on this node now.</summary>
    public async Task<IReadOnlySet<StoreRef>> HostedStoresAsync(CancellationToken ct)
    {
        var region = await Host.Services.GetRequiredService<IRequiredActor<TenantStoreRegion>>().GetAsync(ct);
        var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5), ct);
        return state.Shards.SelectMany(s => s.EntityIds).Select(TenantStoreIds.StoreFromEntityId).ToHashSet();
    }

    /// <summary>Kills the node: the actor system goes away without leaving the cluster or handing its shards off.</summary>
    public async Task CrashAsync()
    {
        Serving = false;
        await System.Terminate();
    }

    /// <summary>Stops the node the way a deployment does: coordinated shutdown leaves the cluster and hands shards off.</summary>
    public async Task LeaveAsync(CancellationToken ct)
    {
        Serving = false;
        await Host.StopAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (Serving)
        {
            Serving = false;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await Host.StopAsync(timeout.Token);
        }

        Host.Dispose();
    }
}

internal static class AkkaBuilderExtras
{
    public static AkkaConfigurationBuilder AddExtra(this AkkaConfigurationBuilder builder, Action<AkkaConfigurationBuilder>? extra)
    {
        extra?.Invoke(builder);
        return builder;
    }
}
