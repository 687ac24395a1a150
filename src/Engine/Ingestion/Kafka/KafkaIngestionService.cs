using Akka;
using Akka.Actor;
using Akka.Hosting;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// Runs the Kafka consumer stream for the life of the host, feeding the sharded tenant entities. A failed
/// stream is restarted from the last commit after a growing pause; on shutdown, records in flight finish
/// and are committed before the consumer leaves the group.
/// </summary>
public sealed partial class KafkaIngestionService(
    IOptions<KafkaOptions> kafka,
    IOptions<EngineOptions> engine,
    IRequiredActor<TenantStoreRegion> region,
    IServiceProvider services,
    KafkaIngestionMetrics metrics,
    ILogger<KafkaIngestionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = kafka.Value;
        var shardRegion = await region.GetAsync(stoppingToken);
        // Resolved only now: the actor system exists once Akka.Hosting has started, which the region proves.
        var system = services.GetRequiredService<ActorSystem>();
        if (options.CreateTopic)
        {
            await KafkaTopic.EnsureAsync(options, stoppingToken);
        }

        // Not disposed: the shutdown task may still cancel it after this method returns; it lives as long as the host.
        var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var consuming = ConsumeUntilStoppedAsync(options, shardRegion, system, stopping.Token);

        // Whichever stops first, the host or the actor system: records in flight finish and are committed before
        // the tenant entities are handed off, so a shutdown never leaves work that only a replay would redo.
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "stop-kafka-ingestion", async () =>
        {
            await CancelAsync(stopping);
            await consuming.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return Done.Instance;
        });

        try
        {
            await consuming;
        }
        finally
        {
            await CancelAsync(stopping);
        }
    }

    private static async Task CancelAsync(CancellationTokenSource stopping)
    {
        try
        {
            await stopping.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped: nothing left to cancel.
        }
    }

    private async Task ConsumeUntilStoppedAsync(KafkaOptions options, IActorRef shardRegion, ActorSystem system, CancellationToken stoppingToken)
    {
        var backoff = options.RestartBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = DateTime.UtcNow;
            try
            {
                await new KafkaIngestionPipeline(options, shardRegion, engine.Value.AskTimeout, system, logger, metrics).RunAsync(stoppingToken);
            }
#pragma warning disable CA1031 // Any failure of the stream is retried; what is processed was committed before it ended.
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                // A stream that ran a while before failing starts the backoff over.
                if (DateTime.UtcNow - started > options.MaxRestartBackoff)
                {
                    backoff = options.RestartBackoff;
                }

                LogStreamFailed(e, backoff);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.MaxRestartBackoff.Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka ingestion stream failed; restarting from the last commit in {Backoff}")]
    private partial void LogStreamFailed(Exception exception, TimeSpan backoff);
}

/// <summary>Creates the events topic when it is missing, with the configured partitions and replication.</summary>
public static class KafkaTopic
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public static async Task EnsureAsync(KafkaOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AdminClientConfig(new Dictionary<string, string>(options.Properties, StringComparer.Ordinal))
        {
            BootstrapServers = options.BootstrapServers,
        };
        // Asking about the topic must not create it with the broker's defaults.
        config.Set("allow.auto.create.topics", "false");
        using var admin = new AdminClientBuilder(config).Build();

        // Metadata first: an existing topic needs no admin rights, and most starts find it there.
        var metadata = await Task.Run(() => admin.GetMetadata(options.Topic, RequestTimeout), cancellationToken);
        if (metadata.Topics.Any(t => t.Topic == options.Topic && !t.Error.IsError && t.Partitions.Count > 0))
        {
            return;
        }

        try
        {
            await admin.CreateTopicsAsync(
                [new TopicSpecification { Name = options.Topic, NumPartitions = options.Partitions, ReplicationFactor = options.ReplicationFactor }],
                new CreateTopicsOptions { RequestTimeout = RequestTimeout }).WaitAsync(cancellationToken);
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.TopicAlreadyExists or ErrorCode.NoError))
        {
            // Someone (another node, or the operator) created it first: exactly what was wanted.
        }
    }
}
