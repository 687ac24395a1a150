using Microsoft.Extensions.Options;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// Kafka ingestion settings, bound from the "Kafka" configuration section. Kafka is used only when
/// <see cref="BootstrapServers"/> is set; otherwise webhooks go straight to the sharded entities.
/// </summary>
public sealed class KafkaOptions
{
    public const string Section = "Kafka";

    /// <summary>host:port list of the brokers; empty means Kafka is not used.</summary>
    public string? BootstrapServers { get; set; }

    public string Topic { get; set; } = "salesdash.commerce-events";

    /// <summary>Every engine node joins this consumer group, so each partition is processed by one node at a time.</summary>
    public string ConsumerGroup { get; set; } = "salesdash-engine";

    /// <summary>Partitions of the topic when the service creates it: the most consumers that can share the work.</summary>
    public int Partitions { get; set; } = 12;

    /// <summary>Replication of the topic when the service creates it; -1 takes the broker's default.</summary>
    public short ReplicationFactor { get; set; } = -1;

    /// <summary>Whether the ingestion service creates the topic on start (an existing topic is left as it is).</summary>
    public bool CreateTopic { get; set; } = true;

    /// <summary>
    /// How long the producer waits to fill a batch. Zero: every webhook's 200 waits for its record's ack, and records that
    /// arrive while a request is in flight are batched anyway. Measured with 64 senders each awaiting its ack (bench/Kafka
    /// --lingers, stop 20): 32–124k acks/s at 0 ms, 14–16k at 1 ms, 6–9k at 5 ms, p50 wait 0.2–0.9 ms against 6–8 ms, and no
    /// steady difference in CPU per record; against a remote cluster a few ms may save broker requests.
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.Zero;

    /// <summary>How long a webhook's event may take to reach all in-sync replicas before the webhook is failed.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most records taken from the consumer per downstream demand. Each store gets its records of a poll in one message,
    /// so with many stores a large poll is what makes those messages carry more than a record or two.
    /// </summary>
    public int MaxPollBatch { get; set; } = 5_000;

    /// <summary>
    /// Most records of one store in one message to its entity: bounds one entity's turn (a tile query waits behind it)
    /// and the size of a message that may cross to another node.
    /// </summary>
    public int MaxRecordsPerDelivery { get; set; } = 50;

    /// <summary>A partition's polls being delivered to the entities at once; each store's records are sent in offset order.</summary>
    public int ParallelismPerPartition { get; set; } = 16;

    /// <summary>
    /// How often entities holding folded records not yet durable are asked to checkpoint them (a snapshot with the
    /// offsets folded); offsets are committed only past checkpointed records, so this bounds how far a commit trails
    /// the fold, and each busy entity writes about one snapshot per interval.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long folded records wait before their entity is asked to checkpoint them, when its snapshot policy has not
    /// saved them sooner. Zero (the default): every round asks every entity holding any. With a backlog over 1,000 stores
    /// of a few records a round each, every round is then 1,000 snapshot writes; with, say, 10 s a store folding a few
    /// records a round writes one snapshot per 10 s instead of five. The price: commits trail the fold by up to this
    /// (plus one round), and after a crash Kafka redelivers that much more (skipped by offset, so still exact). A revoke
    /// or a stop checkpoints everything at once regardless.
    /// </summary>
    public TimeSpan CheckpointMaxAge { get; set; } = TimeSpan.Zero;

    /// <summary>Processed offsets are committed at least this often...</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>...or after this many processed records, whichever comes first.</summary>
    public int CommitBatchSize { get; set; } = 1000;

    /// <summary>
    /// How often one delivery refused with a gap is offered to its entity before the stream fails and restarts from the last
    /// commit. An ask that times out is not counted: the entity is starting or busy, and is offered the records again for as
    /// long as the stream runs (a restart would only redeliver more to the same slow entities).
    /// </summary>
    public int RecordAttempts { get; set; } = 3;

    /// <summary>On a rebalance, how long to let records already handed out finish before committing and giving the partitions up.</summary>
    public TimeSpan RevokeDrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First wait before the consumer stream is restarted after a failure; doubles up to <see cref="MaxRestartBackoff"/>.</summary>
    public TimeSpan RestartBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRestartBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Extra librdkafka properties for every client (security, client.rack...).</summary>
    public Dictionary<string, string> Properties { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Extra librdkafka properties for the consumer only (session.timeout.ms, fetch sizes...); they win over <see cref="Properties"/>.</summary>
    public Dictionary<string, string> ConsumerProperties { get; set; } = new(StringComparer.Ordinal);

    public bool Enabled => !string.IsNullOrWhiteSpace(BootstrapServers);
}

/// <summary>Rejects Kafka settings that would only fail later, when a webhook or a rebalance hits them.</summary>
internal sealed class KafkaOptionsValidator : IValidateOptions<KafkaOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        Require(!string.IsNullOrWhiteSpace(options.Topic), "Kafka:Topic must not be empty.");
        Require(!string.IsNullOrWhiteSpace(options.ConsumerGroup), "Kafka:ConsumerGroup must not be empty.");
        Require(options.Partitions > 0, "Kafka:Partitions must be positive.");
        Require(options.ReplicationFactor == -1 || options.ReplicationFactor > 0, "Kafka:ReplicationFactor must be positive, or -1 for the broker default.");
        Require(options.Linger >= TimeSpan.Zero, "Kafka:Linger must not be negative.");
        Require(options.DeliveryTimeout > TimeSpan.Zero, "Kafka:DeliveryTimeout must be positive.");
        Require(options.MaxPollBatch > 0, "Kafka:MaxPollBatch must be positive.");
        Require(options.ParallelismPerPartition > 0, "Kafka:ParallelismPerPartition must be positive.");
        Require(options.MaxRecordsPerDelivery > 0, "Kafka:MaxRecordsPerDelivery must be positive.");
        Require(options.CheckpointInterval > TimeSpan.Zero, "Kafka:CheckpointInterval must be positive.");
        Require(options.CheckpointMaxAge >= TimeSpan.Zero, "Kafka:CheckpointMaxAge must not be negative.");
        Require(options.CommitInterval > TimeSpan.Zero, "Kafka:CommitInterval must be positive.");
        Require(options.CommitBatchSize > 0, "Kafka:CommitBatchSize must be positive.");
        Require(options.RecordAttempts > 0, "Kafka:RecordAttempts must be positive.");
        Require(options.RevokeDrainTimeout >= TimeSpan.Zero, "Kafka:RevokeDrainTimeout must not be negative.");
        Require(options.RestartBackoff > TimeSpan.Zero && options.MaxRestartBackoff >= options.RestartBackoff,
            "Kafka:RestartBackoff must be positive and not above Kafka:MaxRestartBackoff.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Require(bool condition, string failure)
        {
            if (!condition)
            {
                failures.Add(failure);
            }
        }
    }
}
