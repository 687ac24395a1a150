using System.Diagnostics;
using Confluent.Kafka;
using SalesDash.Connectors.Shopify;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Ingestion.Kafka;

namespace SalesDash.Bench.Kafka;

/// <summary>A record exactly as the app writes it for a webhook: the store's key and the encoded commerce event.</summary>
public sealed record TopicRecord(string Key, byte[] Value, decimal TotalPrice)
{
    /// <summary>
    /// Runs the webhook through the same normaliser and codec as the Shopify endpoint with Kafka on, so the raw
    /// produce and the backlog carry byte for byte what the app would have put on the topic.
    /// </summary>
    public static TopicRecord From(ShopifyOrderWebhook webhook, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        var result = ShopifyWebhookNormalizer.Normalize("orders/create", webhook.Body, new ShopifyDelivery(webhook.WebhookId, null), store);
        var commerceEvent = result is ShopifyNormalizeResult.Ok { Events: [var single] }
            ? single
            : throw new InvalidOperationException($"The bench webhook did not normalise to one event: {result}");
        return new TopicRecord(CommerceEventCodec.KeyFor(commerceEvent.Store), CommerceEventCodec.Encode(commerceEvent), webhook.TotalPrice);
    }
}

/// <summary>What one raw produce run achieved: every delivery report in, with each record's produce-to-ack time.</summary>
public sealed record ProduceRun(int Delivered, int Failed, TimeSpan Elapsed, IReadOnlyList<double> AckMillisecondsSorted, long FirstProduceTimestamp)
{
    public double PerSecond => Delivered / Elapsed.TotalSeconds;
}

/// <summary>
/// librdkafka on its own: a Confluent.Kafka producer configured like the app's (acks=all, idempotent, same linger
/// and partitioner), producing every record without awaiting each, so the client batches as fast as it can.
/// </summary>
public static class RawProducer
{
    /// <param name="linger">null: the app's default (KafkaOptions.Linger); otherwise the linger to try.</param>
    public static ProducerConfig ConfigFor(string bootstrapServers, TimeSpan? linger = null)
    {
        // Mirrors KafkaCommerceEventIngest.ProducerConfigFor with the default KafkaOptions (internal there).
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = "salesdash-bench-raw",
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = (linger ?? new KafkaOptions().Linger).TotalMilliseconds,
            MessageTimeoutMs = (int)new KafkaOptions().DeliveryTimeout.TotalMilliseconds,
            Partitioner = Partitioner.Murmur2Random,
        };
        config.Set("allow.auto.create.topics", "false");
        config.Set("log_level", "3");
        return config;
    }

    /// <summary>
    /// Produces <paramref name="warmup"/> and waits for it (connection, metadata and producer id set up, as the app's
    /// producer has them by its first measured webhook), then times <paramref name="records"/> until the last ack.
    /// </summary>
    /// <param name="spreadOver">
    /// 0: partitioned by key, as the app does. P: record i goes to partition i mod P, so one store's records fill every
    /// partition (the mock broker keeps 5 MiB per partition, far less than one busy store's backlog).
    /// </param>
    public static ProduceRun Produce(
        string bootstrapServers, string topic, TopicRecord warmup, IReadOnlyList<TopicRecord> records, TimeProvider time, CancellationToken cancellationToken,
        int spreadOver = 0)
    {
        ProduceRun? run = null;
        ProduceChunked(bootstrapServers, topic, warmup, records, int.MaxValue, time, beforeChunk: () => { }, result => run = result, cancellationToken, spreadOver);
        return run!;
    }

    /// <summary>
    /// librdkafka as a webhook must use it: <paramref name="concurrency"/> senders share one producer (as the app's
    /// requests do) and each awaits its record's delivery report (acks=all) before taking the next, the wait a 200
    /// stands behind. Pipelined produce (<see cref="Produce"/>) waits for nothing and so is no yardstick for an answer.
    /// </summary>
    public static async Task<ProduceRun> ProduceAwaitingEachAsync(
        string bootstrapServers, string topic, TopicRecord warmup, IReadOnlyList<TopicRecord> records, int concurrency, TimeProvider time,
        CancellationToken cancellationToken, TimeSpan? linger = null)
    {
        ArgumentNullException.ThrowIfNull(warmup);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(time);
        using var producer = new ProducerBuilder<string, byte[]>(ConfigFor(bootstrapServers, linger)).Build();
        await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = warmup.Key, Value = warmup.Value }, cancellationToken);

        var acks = new double[records.Count];
        var next = -1;
        var delivered = 0;
        var failed = 0;
        var started = time.GetTimestamp();
        async Task SenderAsync()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < records.Count)
            {
                var sentAt = time.GetTimestamp();
                try
                {
                    await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = records[index].Key, Value = records[index].Value }, cancellationToken);
                    Interlocked.Increment(ref delivered);
                }
                catch (ProduceException<string, byte[]>)
                {
                    Interlocked.Increment(ref failed);
                }

                acks[index] = time.GetElapsedTime(sentAt).TotalMilliseconds;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(SenderAsync, cancellationToken)));
        return new ProduceRun(delivered, failed, time.GetElapsedTime(started), [.. acks.Order()], started);
    }

    /// <summary>
    /// Like <see cref="Produce"/>, but calls <paramref name="beforeChunk"/> (which may block) before each
    /// <paramref name="chunk"/> records, so a caller can hold the producer back.
    /// </summary>
    public static void ProduceChunked(string bootstrapServers, string topic, TopicRecord warmup, IReadOnlyList<TopicRecord> records, int chunk,
        TimeProvider time, Action beforeChunk, Action<ProduceRun> done, CancellationToken cancellationToken, int spreadOver = 0)
    {
        ArgumentNullException.ThrowIfNull(warmup);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(beforeChunk);
        ArgumentNullException.ThrowIfNull(done);
        using var producer = new ProducerBuilder<string, byte[]>(ConfigFor(bootstrapServers)).Build();
        producer.ProduceAsync(topic, new Message<string, byte[]> { Key = warmup.Key, Value = warmup.Value }, cancellationToken).GetAwaiter().GetResult();

        var acks = new double[records.Count];
        var delivered = 0;
        var failed = 0;
        var started = time.GetTimestamp();
        for (var i = 0; i < records.Count; i++)
        {
            if (i % chunk == 0)
            {
                beforeChunk();
            }

            var index = i;
            var sentAt = time.GetTimestamp();
            var message = new Message<string, byte[]> { Key = records[i].Key, Value = records[i].Value };
            void OnDelivery(DeliveryReport<string, byte[]> report)
            {
                acks[index] = time.GetElapsedTime(sentAt).TotalMilliseconds;
                if (report.Error.IsError)
                {
                    Interlocked.Increment(ref failed);
                }
                else
                {
                    Interlocked.Increment(ref delivered);
                }
            }

            while (true)
            {
                try
                {
                    if (spreadOver > 0)
                    {
                        producer.Produce(new TopicPartition(topic, index % spreadOver), message, OnDelivery);
                    }
                    else
                    {
                        producer.Produce(topic, message, OnDelivery);
                    }

                    break;
                }
                catch (ProduceException<string, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    // The client's own queue is full: let it send and serve delivery reports, as a real producer would.
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        producer.Flush(cancellationToken);
        var elapsed = time.GetElapsedTime(started);
        Debug.Assert(delivered + failed == records.Count, "Flush returns once every delivery report has been served.");
        done(new ProduceRun(delivered, failed, elapsed, [.. acks.Order()], started));
    }
}
