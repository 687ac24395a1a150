using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Persistence.Hosting;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using LinqToDB;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SalesDash.Engine.Clustering;
using SalesDash.Engine.History;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Ingestion.Kafka;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.History.Snapshots;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine;

/// <summary>
/// Wires the engine into a host: <see cref="AddSalesDashEngine(IServiceCollection, IConfiguration)"/> for services
/// and options, <see cref="AddSalesDashEngine(AkkaConfigurationBuilder, IServiceProvider)"/> inside AddAkka.
/// Everything comes from options, nothing is static, so several engines can run in one process (tests).
/// </summary>
public static class EngineHosting
{
    /// <summary>
    /// Gives the coordinated-shutdown phase <paramref name="phase"/> <paramref name="timeout"/> (whole seconds, rounded up)
    /// instead of Akka's 5 s: a phase that runs out is abandoned and shutdown moves on, so work a phase waits for must fit.
    /// </summary>
    public static AkkaConfigurationBuilder WithShutdownPhaseTimeout(this AkkaConfigurationBuilder builder, string phase, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var seconds = ((long)Math.Ceiling(timeout.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return builder.AddHocon($"akka.coordinated-shutdown.phases.{phase}.timeout = {seconds}s", HoconAddMode.Prepend);
    }

    /// <summary>Registers options (validated on start), clock, snapshot store, ingestion and tile queries; the host adds an <see cref="IStoreDirectory"/>.</summary>
    public static IServiceCollection AddSalesDashEngine(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<EngineOptions>()
            .Bind(configuration.GetSection(EngineOptions.Section))
            .PostConfigure(options =>
            {
                if (!string.IsNullOrWhiteSpace(options.DataDirectory))
                {
                    options.DataDirectory = Path.GetFullPath(options.DataDirectory);
                    Directory.CreateDirectory(options.DataDirectory);
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EngineOptions>, EngineOptionsValidator>());
        services.TryAddSingleton(sp => new Tenants.GroupCommitMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        // The embedded journal's log is checkpointed off the commit path (does nothing on PostgreSQL).
        services.AddHostedService<SqliteWalCheckpointer>();

        services.AddOptions<ClusterNodeOptions>()
            .Bind(configuration.GetSection(ClusterNodeOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Hostname), "Cluster:Hostname must not be empty.")
            .Validate(o => o.Port is >= 0 and <= 65535, "Cluster:Port must be between 0 (any free port) and 65535.")
            .Validate(o => o.DownUnreachableAfter > TimeSpan.Zero, "Cluster:DownUnreachableAfter must be positive.")
            .Validate(o => o.Discovery != ClusterDiscovery.Kubernetes || o.SeedNodes.Length == 0,
                "Cluster:SeedNodes must be empty when Cluster:Discovery=Kubernetes: discovery finds the seeds.")
            .Validate(o => o.Discovery != ClusterDiscovery.Kubernetes || (o.Bootstrap.RequiredContactPoints > 0
                && o.Bootstrap.LookupInterval > TimeSpan.Zero && !string.IsNullOrWhiteSpace(o.Bootstrap.ServiceName)),
                "Cluster:Bootstrap needs a ServiceName, RequiredContactPoints above 0 and a positive LookupInterval.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        // The store directory (IStoreDirectory) is the host's: the web host keeps it in the one app database.
        // One store (DuckDB or ClickHouse) serves both the live path's minute rows and history's facts.
        services.AddSalesDashHistory(configuration);
        services.TryAddSingleton<ICommerceEventIngest, ShardedCommerceEventIngest>();
        services.TryAddSingleton<ITileQuery, ShardedTileQuery>();

        // With Kafka:BootstrapServers set, webhooks are acknowledged from Kafka and a consumer feeds the entities.
        services.AddKafkaIngestion(configuration);
        return services;
    }

    /// <summary>
    /// Remoting, clustering (seed nodes or self-join, or Kubernetes bootstrap; keep-majority split-brain resolver),
    /// distributed pub-sub, the SQL journal, the serializer, the per-node snapshot writer and the tenant-store shard region.
    /// </summary>
    public static AkkaConfigurationBuilder AddSalesDashEngine(this AkkaConfigurationBuilder builder, IServiceProvider sp)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(sp);
        var engine = sp.GetRequiredService<IOptions<EngineOptions>>().Value;
        var node = sp.GetRequiredService<IOptions<ClusterNodeOptions>>().Value;
        var role = node.Roles.FirstOrDefault();

        builder
            // Akka's own log lines go through Microsoft.Extensions.Logging, so Logging:LogLevel governs them too.
            .ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = Akka.Event.LogLevel.InfoLevel;
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            })
            .WithRemoting(new RemoteOptions { HostName = node.Hostname, PublicHostName = node.PublicHostname, Port = node.Port })
            // Keep-majority downs the unreachable side after Cluster:DownUnreachableAfter, so a crashed node's
            // shards move to the survivors instead of waiting for a person to down it. The seed nodes are joined by
            // AddClusterFormation, once this node's journal is ready.
            .WithClustering(new ClusterOptions { Roles = node.Roles, SplitBrainResolver = new KeepMajorityOption() })
            .AddClusterFormation(node)
            .WithDistributedPubSub(role ?? string.Empty)
            .WithCustomSerializer(SalesDashSerializer.SerializerName, SalesDashSerializer.BoundTypes, system => new SalesDashSerializer(system))
            .AddJournal(engine, sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SqliteSnapshotFile)))
            .AddSnapshotWriter()
            .AddHistoryWriter()
            .AddTenantStores(role)
            // Polling, reports, retention: every IClusterJob runs on one node of the cluster, not on each.
            .AddClusterJobs(role)
            .AddKafkaIngestionStop(sp);

        return builder;
    }

    private static AkkaConfigurationBuilder AddJournal(this AkkaConfigurationBuilder builder, EngineOptions engine, ILogger log)
    {
        if (engine.Journal == JournalProvider.PostgreSql)
        {
            return builder.WithSqlPersistence(engine.JournalConnectionString!, ProviderName.PostgreSQL15, PersistenceMode.Both, autoInitialize: true);
        }

        var connectionString = SqliteJournalConnections.ConnectionString(engine);
        var snapshotConnectionString = SqliteJournalConnections.SnapshotConnectionString(connectionString);
        UseWriteAheadLog(connectionString);
        UseWriteAheadLog(snapshotConnectionString);
        // Before the snapshot store opens: snapshots in the journal's file newer than the snapshot file's (a data folder
        // from before that file, or one an older binary ran on since) are taken; the journal's copy stays for a rollback.
        var taken = SqliteSnapshotFile.FromJournal(connectionString, snapshotConnectionString);
        if (taken > 0)
        {
            log.LogInformation("Took {Count} newer snapshots from the journal's file into the snapshot store's own file", taken);
        }

        // The snapshot store has a file of its own, so a large snapshot never holds the journal's one write lock while
        // group commits wait. Both wait for a lock in SQLite's busy handler, not in 150 ms sleeps, and leave the log's
        // checkpoints to SqliteWalCheckpointer instead of running them inside a commit.
        return builder
            .WithSqlPersistence(
                journal =>
                {
                    journal.DataOptions = SqliteJournalConnections.DataOptions(connectionString);
                    journal.AutoInitialize = true;
                },
                snapshot =>
                {
                    snapshot.DataOptions = SqliteJournalConnections.DataOptions(snapshotConnectionString);
                    snapshot.AutoInitialize = true;
                })
            .AddHocon(SqliteJournalWrites, HoconAddMode.Prepend)
            .AddStartup((system, _) => system.RegisterOnTermination(() =>
            {
                // Once the actor system is gone nothing saves a snapshot any more, so the journal's file gets the newest of
                // each store, whether the stop's final snapshots made it or sharding's phase ran out first; the Kafka
                // stream stopped before the entities, after its last commit, so every checkpoint a commit relies on is in.
                // An older binary started next, which reads its snapshots there, resumes where this one stopped.
                try
                {
                    var written = SqliteSnapshotFile.ToJournal(connectionString, snapshotConnectionString);
                    if (written > 0)
                    {
                        log.LogInformation("Left {Count} newer snapshots in the journal's file for a binary from before the snapshot file", written);
                    }
                }
                catch (SqliteException e)
                {
                    log.LogWarning(e, "Could not leave the newest snapshots in the journal's file: an older binary started on this folder would find older ones");
                }
            }));
    }

    /// <summary>
    /// How the journal writes to SQLite. Parameters: by default linq2db writes a multi-row insert as one SQL text with
    /// every value a literal, so each event's bytes become hex that is built as a .NET string and parsed back by SQLite
    /// (the journal's largest cost in the webhook profile); bound as parameters they are copied as they are. One
    /// writer: SQLite takes one write transaction at a time, so a second or third writer only waits on the file lock
    /// (Microsoft.Data.Sqlite retries a busy database by sleeping a thread) while the rows it holds could have gone into
    /// the first writer's next batch. With one writer, everything that arrives during a commit is the next commit
    /// (up to batch-size rows): group commit across stores. Each write is still committed, WAL fsync'd, before the
    /// entity is told it is durable.
    /// </summary>
    internal const string SqliteJournalWrites = """
        akka.persistence.journal.sql {
          prefer-parameters-on-multirow-insert = true
          parallelism = 1
        }
        """;

    // WAL lets recovery reads run beside journal writes instead of failing with SQLITE_BUSY; the mode is
    // stored in the file, so setting it once before the journal opens is enough.
    private static void UseWriteAheadLog(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }
}

/// <summary>Rejects engine settings that would only fail later, at start-up rather than on the first event.</summary>
internal sealed class EngineOptionsValidator : IValidateOptions<EngineOptions>
{
    public ValidateOptionsResult Validate(string? name, EngineOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Engine:DataDirectory must name a folder.");
        }

        if (options.SnapshotFlushInterval <= TimeSpan.Zero)
        {
            failures.Add("Engine:SnapshotFlushInterval must be positive.");
        }

        if (options.TilePublishInterval <= TimeSpan.Zero)
        {
            failures.Add("Engine:TilePublishInterval must be positive.");
        }

        if (options.MinuteCheckInterval <= TimeSpan.Zero)
        {
            failures.Add("Engine:MinuteCheckInterval must be positive.");
        }

        if (options.AskTimeout <= TimeSpan.Zero)
        {
            failures.Add("Engine:AskTimeout must be positive.");
        }

        if (options.Journal == JournalProvider.PostgreSql && string.IsNullOrWhiteSpace(options.JournalConnectionString))
        {
            failures.Add("Engine:Journal=PostgreSql needs Engine:JournalConnectionString.");
        }

        if (options.Snapshots == SnapshotProvider.ClickHouse && string.IsNullOrWhiteSpace(options.SnapshotConnectionString))
        {
            failures.Add("Engine:Snapshots=ClickHouse needs Engine:SnapshotConnectionString (e.g. Host=127.0.0.1;Port=8123;Database=salesdash).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
