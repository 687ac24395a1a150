using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Snapshots;

/// <summary>
/// One per node: collects per-minute rows from the tenant entities and writes them to the snapshot store in
/// batches, so an entity never waits on I/O. Rows are absolute, so pending rows are coalesced by key (latest
/// wins); memory is bounded by the number of distinct store-minutes touched during one flush interval, and
/// nothing is dropped. A keyed buffer fits this better than a stream's drop-or-backpressure buffer: an entity
/// cannot be backpressured, and dropping a row would leave a minute stale for good.
/// </summary>
public sealed class SnapshotWriter : ReceiveActor, IWithTimers
{
    private const string FlushTimer = "flush";

    private readonly IMinuteSnapshotStore _store;
    private readonly Dictionary<(string TenantId, string StoreId, DateTimeOffset Minute), MinuteKpiRow> _pending = [];
    private readonly List<IActorRef> _flushWaiters = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _writing;

    public SnapshotWriter(IMinuteSnapshotStore store, TimeSpan flushInterval)
    {
        _store = store;
        FlushInterval = flushInterval;

        Receive<Enqueue>(msg =>
        {
            foreach (var row in msg.Rows)
            {
                _pending[(row.TenantId, row.StoreId, row.Minute)] = row;
            }
        });
        Receive<Tick>(_ => StartWrite());
        Receive<FlushNow>(_ =>
        {
            _flushWaiters.Add(Sender);
            if (!_writing)
            {
                StartWrite();
            }
        });
        Receive<Written>(_ => Completed(succeeded: true));
        Receive<WriteFailed>(failed =>
        {
            _log.Warning(failed.Cause, "Writing {0} minute rows failed; they are retried with the next flush", failed.Batch.Count);
            foreach (var row in failed.Batch)
            {
                // A newer row for the same minute may have arrived meanwhile; it wins.
                _pending.TryAdd((row.TenantId, row.StoreId, row.Minute), row);
            }

            Completed(succeeded: false);
        });
    }

    public TimeSpan FlushInterval { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer(FlushTimer, Tick.Instance, FlushInterval);

    private void StartWrite()
    {
        if (_writing)
        {
            return;
        }

        if (_pending.Count == 0)
        {
            ReplyFlushed();
            return;
        }

        var batch = _pending.Values.ToArray();
        _pending.Clear();
        _writing = true;
        _store.WriteAsync(batch, CancellationToken.None).PipeTo(Self, success: () => Written.Instance, failure: ex => new WriteFailed(ex, batch));
    }

    private void Completed(bool succeeded)
    {
        _writing = false;
        if (!succeeded)
        {
            // Retrying at once would hammer a failing store; waiters are released and the timer retries.
            ReplyFlushed();
        }
        else if (_flushWaiters.Count > 0)
        {
            StartWrite();
        }
    }

    private void ReplyFlushed()
    {
        foreach (var waiter in _flushWaiters)
        {
            waiter.Tell(Flushed.Instance);
        }

        _flushWaiters.Clear();
    }

    /// <summary>Rows to write; later rows for the same store-minute replace earlier ones.</summary>
    public sealed record Enqueue(IReadOnlyList<MinuteKpiRow> Rows);

    /// <summary>Write everything pending now; answered with <see cref="Flushed"/> once it is in the store.</summary>
    public sealed class FlushNow
    {
        public static readonly FlushNow Instance = new();

        private FlushNow()
        {
        }
    }

    /// <summary>Everything enqueued before the matching <see cref="FlushNow"/> has been written (or retried later on failure).</summary>
    public sealed class Flushed
    {
        public static readonly Flushed Instance = new();

        private Flushed()
        {
        }
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed class Written
    {
        public static readonly Written Instance = new();
    }

    private sealed record WriteFailed(Exception Cause, IReadOnlyList<MinuteKpiRow> Batch);
}

/// <summary>Starts the per-node <see cref="SnapshotWriter"/> and flushes it during coordinated shutdown.</summary>
public static class SnapshotWriterHosting
{
    /// <summary>How long shutdown waits for the last rows to reach the snapshot store.</summary>
    private static readonly TimeSpan ShutdownFlushTimeout = TimeSpan.FromSeconds(10);

    public static AkkaConfigurationBuilder AddSnapshotWriter(this AkkaConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithActors((system, registry, resolver) =>
        {
            var store = resolver.GetService<IMinuteSnapshotStore>();
            var options = resolver.GetService<IOptions<EngineOptions>>().Value;
            var writer = system.ActorOf(Props.Create(() => new SnapshotWriter(store, options.SnapshotFlushInterval)), "minute-snapshot-writer");
            registry.Register<SnapshotWriter>(writer);

            // Entities hand over their last rows when sharding stops them; this runs after that phase.
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "flush-minute-snapshots",
                async () =>
                {
                    try
                    {
                        await writer.Ask<SnapshotWriter.Flushed>(SnapshotWriter.FlushNow.Instance, ShutdownFlushTimeout);
                    }
                    catch (AskTimeoutException)
                    {
                        system.Log.Warning("Minute snapshot rows were still being written at shutdown");
                    }

                    return Akka.Done.Instance;
                });
        });
    }
}
