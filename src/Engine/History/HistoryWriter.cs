using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.History;

/// <summary>
/// One per node: collects the facts of events the tenant entities accepted (orders, refunds, sessions, and for
/// multi-channel insight order touches, ad spend, shipments and analytics traffic) and writes
/// them to the history store in batches, so an entity never waits on I/O. Pending facts are coalesced by key
/// (for an order the newest version wins), a batch is written at the flush interval or once it reaches
/// <see cref="MaxPending"/>, and a failed batch is merged back and retried: nothing is dropped, and the store's
/// writes are idempotent, so a retry or a replay after restart cannot count twice.
/// </summary>
public sealed class HistoryWriter : ReceiveActor, IWithTimers
{
    /// <summary>Facts held before a write starts early; bounds memory during an import or a journal replay.</summary>
    public const int MaxPending = 20_000;

    private const string FlushTimer = "flush";

    private readonly IHistoryStore _store;
    private readonly List<IActorRef> _flushWaiters = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private HistoryBatch _pending = new();
    private bool _writing;

    public HistoryWriter(IHistoryStore store, TimeSpan flushInterval)
    {
        _store = store;
        FlushInterval = flushInterval;

        Receive<Record>(msg =>
        {
            _pending.Add(msg.Event);
            if (_pending.Count >= MaxPending)
            {
                StartWrite();
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
            _log.Warning(failed.Cause, "Writing {0} history facts failed; they are retried with the next flush", failed.Batch.Count);

            // Newer facts that arrived meanwhile win over the failed ones.
            failed.Batch.AddRange(_pending);
            _pending = failed.Batch;
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

        var batch = _pending;
        _pending = new HistoryBatch();
        _writing = true;
        _store.WriteFactsAsync(batch, CancellationToken.None).PipeTo(Self, success: () => Written.Instance, failure: ex => new WriteFailed(ex, batch));
    }

    private void Completed(bool succeeded)
    {
        _writing = false;
        if (!succeeded)
        {
            // Retrying at once would hammer a failing store; waiters are released and the timer retries.
            ReplyFlushed();
        }
        else if (_flushWaiters.Count > 0 || _pending.Count >= MaxPending)
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

    /// <summary>An event a tenant entity accepted (live or replayed from its journal); its facts go to history.</summary>
    public sealed record Record(CommerceEvent Event);

    /// <summary>Write everything pending now; answered with <see cref="Flushed"/> once it is in the store.</summary>
    public sealed class FlushNow
    {
        public static readonly FlushNow Instance = new();

        private FlushNow()
        {
        }
    }

    /// <summary>Everything recorded before the matching <see cref="FlushNow"/> has been written (or is retried later on failure).</summary>
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

    private sealed record WriteFailed(Exception Cause, HistoryBatch Batch);
}

/// <summary>Starts the per-node <see cref="HistoryWriter"/> and flushes it during coordinated shutdown.</summary>
public static class HistoryWriterHosting
{
    /// <summary>How long shutdown waits for the last facts to reach the history store.</summary>
    private static readonly TimeSpan ShutdownFlushTimeout = TimeSpan.FromSeconds(10);

    public static AkkaConfigurationBuilder AddHistoryWriter(this AkkaConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithActors((system, registry, resolver) =>
        {
            var store = resolver.GetService<IHistoryStore>();
            var options = resolver.GetService<IOptions<EngineOptions>>().Value;
            var writer = system.ActorOf(Props.Create(() => new HistoryWriter(store, options.SnapshotFlushInterval)), "history-writer");
            registry.Register<HistoryWriter>(writer);

            // Entities hand over their last facts when sharding stops them; this runs after that phase.
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "flush-history",
                async () =>
                {
                    try
                    {
                        await writer.Ask<HistoryWriter.Flushed>(HistoryWriter.FlushNow.Instance, ShutdownFlushTimeout);
                    }
                    catch (AskTimeoutException)
                    {
                        system.Log.Warning("History facts were still being written at shutdown");
                    }

                    return Akka.Done.Instance;
                });
        });
    }
}
