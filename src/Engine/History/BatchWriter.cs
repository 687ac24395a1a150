using System.Net.Sockets;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Event;
using Akka.Hosting;
using Microsoft.Extensions.Options;

namespace SalesDash.Engine.History;

/// <summary>A batch a <see cref="BatchWriter{TBatch}"/> can hold, merge, split and, once down to one item, dead-letter.</summary>
public interface IWriteBatch<TBatch>
    where TBatch : IWriteBatch<TBatch>
{
    /// <summary>Items held (facts, rows); what the writer's capacity counts.</summary>
    int Count { get; }

    /// <summary>Adds <paramref name="newer"/>'s items; where both hold the same key, the newer item wins.</summary>
    void Absorb(TBatch newer);

    /// <summary>Two non-empty halves; only called when <see cref="Count"/> is at least 2.</summary>
    (TBatch First, TBatch Second) Split();

    /// <summary>The one item of a batch of <see cref="Count"/> 1, as a dead letter with the reason it was refused.</summary>
    HistoryDeadLetter ToDeadLetter(Exception cause, DateTimeOffset at);
}

/// <summary>Where a <see cref="BatchWriter{TBatch}"/> writes: the batch itself, the store's health, and its dead letters.</summary>
public interface IBatchSink<in TBatch>
{
    Task WriteAsync(TBatch batch, CancellationToken cancellationToken);

    Task<bool> IsReachableAsync(CancellationToken cancellationToken);

    Task WriteDeadLettersAsync(IReadOnlyCollection<HistoryDeadLetter> letters, CancellationToken cancellationToken);
}

/// <summary>How a <see cref="BatchWriter{TBatch}"/> paces itself.</summary>
/// <param name="FlushInterval">How often pending items are written.</param>
/// <param name="Capacity">Items held at most, pending and being written together; beyond it producers are refused.</param>
/// <param name="MinBackoff">First wait after the store was found down; doubles per failure up to <paramref name="MaxBackoff"/>.</param>
public sealed record BatchWriterSettings(TimeSpan FlushInterval, int Capacity, TimeSpan MinBackoff, TimeSpan MaxBackoff)
{
    public static BatchWriterSettings For(TimeSpan flushInterval, int capacity) =>
        new(flushInterval, capacity, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));

    /// <summary>The wait before retry number <paramref name="failures"/> (1-based).</summary>
    public TimeSpan BackoffAfter(int failures)
    {
        var factor = Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        var wait = TimeSpan.FromTicks((long)Math.Min(MinBackoff.Ticks * factor, MaxBackoff.Ticks));
        return wait < MinBackoff ? MinBackoff : wait;
    }
}

/// <summary>What one write cycle did with a batch.</summary>
/// <param name="Unwritten">Items not written because the store was down (null when all went in or were dead-lettered).</param>
/// <param name="Cause">Why <paramref name="Unwritten"/> was not written.</param>
public sealed record WriteCycleOutcome<TBatch>(int Written, int DeadLettered, TBatch? Unwritten, Exception? Cause)
    where TBatch : class;

/// <summary>
/// One attempt to write a batch. A store that is down (connection refused, timeout, or not answering a trivial query)
/// leaves the batch whole for a later retry: splitting it would only multiply failing calls. A store that answers
/// but refuses the batch is refusing its data, so the batch is halved until each failing half is a single item,
/// which is tried once more and then dead-lettered; every other item is written. One bad fact costs about
/// 2·log2(n) writes instead of blocking every tenant's history behind it.
/// </summary>
public static class WriteCycle
{
    public static async Task<WriteCycleOutcome<TBatch>> RunAsync<TBatch>(TBatch batch, IBatchSink<TBatch> sink, TimeProvider time, CancellationToken cancellationToken)
        where TBatch : class, IWriteBatch<TBatch>
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(time);
        var outcome = new Tally<TBatch>();
        await WriteAsync(batch, sink, time, outcome, cancellationToken);
        return new WriteCycleOutcome<TBatch>(outcome.Written, outcome.DeadLettered, outcome.Unwritten, outcome.Cause);
    }

    /// <summary>Failures that say nothing about the data: the store did not answer.</summary>
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // An HTTP store that answered with a status refused the request; one that did not answer is down.
                case HttpRequestException http when http.StatusCode is null:
                case HttpRequestException { StatusCode: System.Net.HttpStatusCode.ServiceUnavailable }:
                case SocketException:
                case IOException:
                case TimeoutException:
                case OperationCanceledException:
                    return true;
            }
        }

        return false;
    }

    private static async Task WriteAsync<TBatch>(TBatch batch, IBatchSink<TBatch> sink, TimeProvider time, Tally<TBatch> tally, CancellationToken cancellationToken)
        where TBatch : class, IWriteBatch<TBatch>
    {
        if (tally.Cause is not null)
        {
            // The store went down earlier in this cycle: keep the rest for the retry rather than fail on each half.
            tally.Keep(batch, tally.Cause);
            return;
        }

        var failure = await TryWriteAsync(batch, sink, cancellationToken);
        if (failure is null)
        {
            tally.Written += batch.Count;
            return;
        }

        if (await IsDownAsync(failure, sink, cancellationToken))
        {
            tally.Keep(batch, failure);
            return;
        }

        if (batch.Count > 1)
        {
            var (first, second) = batch.Split();
            await WriteAsync(first, sink, time, tally, cancellationToken);
            await WriteAsync(second, sink, time, tally, cancellationToken);
            return;
        }

        // Once more on its own, so a blip between the failed write and the health check cannot condemn a good item.
        failure = await TryWriteAsync(batch, sink, cancellationToken);
        if (failure is null)
        {
            tally.Written += 1;
            return;
        }

        if (await IsDownAsync(failure, sink, cancellationToken))
        {
            tally.Keep(batch, failure);
            return;
        }

        try
        {
            await sink.WriteDeadLettersAsync([batch.ToDeadLetter(failure, time.GetUtcNow())], cancellationToken);
            tally.DeadLettered += 1;
        }
        catch (Exception deadLetterFailure) when (deadLetterFailure is not OutOfMemoryException)
        {
            // Not kept anywhere yet: it stays pending and is tried again with the store's next good turn.
            tally.Keep(batch, deadLetterFailure);
        }
    }

    private static async Task<Exception?> TryWriteAsync<TBatch>(TBatch batch, IBatchSink<TBatch> sink, CancellationToken cancellationToken)
    {
        try
        {
            await sink.WriteAsync(batch, cancellationToken);
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ex;
        }
    }

    private static async Task<bool> IsDownAsync<TBatch>(Exception failure, IBatchSink<TBatch> sink, CancellationToken cancellationToken)
    {
        if (IsTransient(failure))
        {
            return true;
        }

        try
        {
            return !await sink.IsReachableAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return true;
        }
    }

    private sealed class Tally<TBatch>
        where TBatch : class, IWriteBatch<TBatch>
    {
        public int Written { get; set; }

        public int DeadLettered { get; set; }

        public TBatch? Unwritten { get; private set; }

        public Exception? Cause { get; private set; }

        public void Keep(TBatch batch, Exception cause)
        {
            Cause ??= cause;
            if (Unwritten is null)
            {
                Unwritten = batch;
            }
            else
            {
                Unwritten.Absorb(batch);
            }
        }
    }
}

/// <summary>Messages every <see cref="BatchWriter{TBatch}"/> answers, whatever it writes.</summary>
public static class BatchWriter
{
    /// <summary>
    /// Answered with <see cref="Written"/> once everything the sender handed over before this message is in the store
    /// (or dead-lettered). Unlike <see cref="BatchWriter{TBatch}.FlushNow"/> it is not answered while the store is down:
    /// a tenant entity asks before it saves a snapshot, because a snapshot that covers events whose facts or rows are
    /// still only in this writer's memory would lose them to a crash (recovery hands over only what it replays after it).
    /// Items the writer refused are not covered: their producer holds them and asks again once they are taken.
    /// </summary>
    public sealed record WriteThrough(long Token);

    /// <summary>Everything handed over before the <see cref="WriteThrough"/> of the same token is in the store.</summary>
    public sealed record Written(long Token);

    /// <summary>
    /// Told to a producer the writer refused, once a write cycle has made room: items it holds can be handed over again.
    /// Only a hint (the items may still not all fit); a producer keeps its own retry for a writer that never says it.
    /// </summary>
    public sealed class Room
    {
        public static readonly Room Instance = new();

        private Room()
        {
        }
    }
}

/// <summary>
/// The per-node writer behind history facts and minute rows: producers hand items over without waiting on I/O, items
/// are coalesced by key, and written in batches at the flush interval (or early, once half the capacity is pending).
/// A batch the store refuses is split until the bad item is dead-lettered (see <see cref="WriteCycle"/>); a store that
/// is down is retried with exponential backoff and nothing is split or dropped. Memory is bounded: once
/// <see cref="BatchWriterSettings.Capacity"/> items are held, producers are answered with a refusal and keep their
/// items (a tenant entity holds them and slows its own intake) instead of this writer growing without limit.
/// </summary>
public abstract class BatchWriter<TBatch> : ReceiveActor, IWithTimers
    where TBatch : class, IWriteBatch<TBatch>, new()
{
    private const string FlushTimer = "flush";
    private const string RetryTimer = "retry";

    private readonly IBatchSink<TBatch> _sink;
    private readonly TimeProvider _time;
    private readonly List<IActorRef> _flushWaiters = [];
    private readonly List<(IActorRef ReplyTo, long Token, long UpTo)> _writeThroughWaiters = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>Hand-overs taken so far, numbered; what a <see cref="BatchWriter.WriteThrough"/> waits for is "up to this one".</summary>
    private long _accepted;

    /// <summary>The newest hand-over the batch being written holds (with everything before it not yet written).</summary>
    private long _writingUpTo;

    /// <summary>Every hand-over up to this one is in the store (or dead-lettered).</summary>
    private long _writtenUpTo;
    private TBatch _pending = new();

    /// <summary>Producers refused since the last write cycle ended: each is told <see cref="BatchWriter.Room"/> when one ends with room.</summary>
    private readonly HashSet<IActorRef> _refused = [];
    private int _inFlight;
    private bool _writing;
    private int _failures;

    protected BatchWriter(IBatchSink<TBatch> sink, BatchWriterSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Capacity < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Capacity, "A batch writer holds at least two items.");
        }

        _sink = sink;
        _time = time;
        Settings = settings;

        Receive<Tick>(_ =>
        {
            // While backing off, the retry timer decides when the store is tried again.
            if (!Timers.IsTimerActive(RetryTimer))
            {
                StartWrite();
            }
        });
        Receive<Retry>(_ => StartWrite());
        Receive<FlushNow>(_ =>
        {
            _flushWaiters.Add(Sender);
            StartWrite();
        });
        Receive<BatchWriter.WriteThrough>(ask =>
        {
            if (_writtenUpTo >= _accepted)
            {
                Sender.Tell(new BatchWriter.Written(ask.Token));
                return;
            }

            _writeThroughWaiters.Add((Sender, ask.Token, _accepted));

            // A snapshot waits on this: write now rather than at the next tick, unless the store is down (the retry decides).
            if (!Timers.IsTimerActive(RetryTimer))
            {
                StartWrite();
            }
        });
        Receive<GetStatus>(_ => Sender.Tell(new Status(_pending.Count, _inFlight, Settings.Capacity, _failures)));
        Receive<CycleDone>(done => Completed(done.Outcome));
        Receive<CycleCrashed>(crashed => Completed(new WriteCycleOutcome<TBatch>(0, 0, crashed.Batch, crashed.Cause)));
    }

    public BatchWriterSettings Settings { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Items held now: pending plus the batch being written.</summary>
    protected int Held => _pending.Count + _inFlight;

    /// <summary>
    /// True when <paramref name="incoming"/> more items fit. An empty writer takes anything, so one oversized
    /// hand-over cannot be refused forever.
    /// </summary>
    protected bool HasRoomFor(int incoming) => Held == 0 || Held + incoming <= Settings.Capacity;

    /// <summary>
    /// True (and the sender told <paramref name="refusal"/>) when <paramref name="incoming"/> items do not fit. A forced
    /// hand-over comes from a stopping entity, which cannot keep its items for later, so it is always taken.
    /// </summary>
    protected bool Refuses(bool force, int incoming, object refusal)
    {
        if (force || HasRoomFor(incoming))
        {
            return false;
        }

        Sender.Tell(refusal);
        _refused.Add(Sender);
        return true;
    }

    /// <summary>Notes a producer this writer refused by its own answer, so it is told <see cref="BatchWriter.Room"/> later.</summary>
    protected void NoteRefused(IActorRef producer) => _refused.Add(producer);

    /// <summary>What the writer is about: "history facts", "minute rows"; for log lines.</summary>
    protected abstract string What { get; }

    protected override void PreStart() => Timers.StartPeriodicTimer(FlushTimer, Tick.Instance, Settings.FlushInterval);

    /// <summary>Adds items to the pending batch; callers check <see cref="HasRoomFor"/> first.</summary>
    protected void Accept(Action<TBatch> add)
    {
        ArgumentNullException.ThrowIfNull(add);
        add(_pending);
        _accepted++;
        if (_pending.Count >= Settings.Capacity / 2 && !Timers.IsTimerActive(RetryTimer))
        {
            StartWrite();
        }
    }

    /// <summary>Keeps an item refused before it reached the store (e.g. its fact could not be built).</summary>
    protected void DeadLetterNow(HistoryDeadLetter letter)
    {
        var log = _log;
        _sink.WriteDeadLettersAsync([letter], CancellationToken.None).ContinueWith(
            t => log.Error(t.Exception, "Dead letter {0} {1} of {2}/{3} could not be kept: {4}", letter.Kind, letter.Key, letter.TenantId,
                letter.StoreId, letter.Reason),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private void StartWrite()
    {
        if (_writing)
        {
            return;
        }

        if (_pending.Count == 0)
        {
            // Nothing pending and nothing being written: every hand-over so far is in the store (or was dead-lettered
            // when it could not become an item).
            WrittenUpTo(_accepted);
            ReplyFlushed();
            return;
        }

        Timers.Cancel(RetryTimer);
        _writingUpTo = _accepted;
        var batch = _pending;
        _pending = new TBatch();
        _inFlight = batch.Count;
        _writing = true;
        WriteCycle.RunAsync(batch, _sink, _time, CancellationToken.None)
            .PipeTo(Self, success: outcome => new CycleDone(outcome), failure: ex => new CycleCrashed(ex, batch));
    }

    private void Completed(WriteCycleOutcome<TBatch> outcome)
    {
        _writing = false;
        _inFlight = 0;
        if (outcome.DeadLettered > 0)
        {
            _log.Error("{0} {1} refused by the store were dead-lettered; {2} written", outcome.DeadLettered, What, outcome.Written);
        }

        if (outcome.Unwritten is { } unwritten)
        {
            _failures++;
            var wait = Settings.BackoffAfter(_failures);
            _log.Warning(outcome.Cause, "Writing {0} {1} failed: the store is not answering; retrying in {2}", unwritten.Count, What, wait);

            // Items that arrived meanwhile are newer and win over the failed ones.
            unwritten.Absorb(_pending);
            _pending = unwritten;
            Timers.StartSingleTimer(RetryTimer, Retry.Instance, wait);

            // Waiters are not held through an outage: they learn the write is being retried.
            ReplyFlushed();
            return;
        }

        _failures = 0;
        WrittenUpTo(_writingUpTo);
        TellRefusedThereIsRoom();
        if (_flushWaiters.Count > 0 || _writeThroughWaiters.Count > 0 || _pending.Count >= Settings.Capacity / 2)
        {
            StartWrite();
        }
    }

    /// <summary>
    /// A written batch made room: the producers refused meanwhile hand their items over now rather than at their own retry
    /// timer. A tenant entity's is a second, during which it takes nothing new; folding one store's Kafka backlog, the
    /// history writer had room again 54 ms after it refused, and the entity idled for the rest of that second.
    /// </summary>
    private void TellRefusedThereIsRoom()
    {
        if (_refused.Count == 0 || Held >= Settings.Capacity)
        {
            return;
        }

        foreach (var producer in _refused)
        {
            producer.Tell(BatchWriter.Room.Instance);
        }

        _refused.Clear();
    }

    private void WrittenUpTo(long upTo)
    {
        _writtenUpTo = Math.Max(_writtenUpTo, upTo);
        _writeThroughWaiters.RemoveAll(waiter =>
        {
            if (waiter.UpTo > _writtenUpTo)
            {
                return false;
            }

            waiter.ReplyTo.Tell(new BatchWriter.Written(waiter.Token));
            return true;
        });
    }

    private void ReplyFlushed()
    {
        foreach (var waiter in _flushWaiters)
        {
            waiter.Tell(Flushed.Instance);
        }

        _flushWaiters.Clear();
    }

    /// <summary>Write everything pending now; answered with <see cref="Flushed"/> once it is in the store (or being retried).</summary>
    public sealed class FlushNow
    {
        public static readonly FlushNow Instance = new();

        private FlushNow()
        {
        }
    }

    /// <summary>Everything handed over before the matching <see cref="FlushNow"/> has been written, dead-lettered, or is retried later.</summary>
    public sealed class Flushed
    {
        public static readonly Flushed Instance = new();

        private Flushed()
        {
        }
    }

    /// <summary>Asks for a <see cref="Status"/>: how full the writer is, for tests and diagnostics.</summary>
    public sealed class GetStatus
    {
        public static readonly GetStatus Instance = new();

        private GetStatus()
        {
        }
    }

    /// <param name="Failures">Write cycles in a row that found the store down.</param>
    public sealed record Status(int Pending, int InFlight, int Capacity, int Failures);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed class Retry
    {
        public static readonly Retry Instance = new();
    }

    private sealed record CycleDone(WriteCycleOutcome<TBatch> Outcome);

    private sealed record CycleCrashed(Exception Cause, TBatch Batch);
}

/// <summary>
/// A sink into a store that may keep dead letters: health and dead letters go to the history store's table when the
/// store is one (<see cref="IHistoryDeadLetters"/>); a store that is not is taken as reachable and keeps none.
/// </summary>
public abstract class HistoryStoreSink<TBatch>(object store) : IBatchSink<TBatch>
{
    public abstract Task WriteAsync(TBatch batch, CancellationToken cancellationToken);

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) =>
        store is IHistoryDeadLetters history ? history.IsReachableAsync(cancellationToken) : Task.FromResult(true);

    public Task WriteDeadLettersAsync(IReadOnlyCollection<HistoryDeadLetter> letters, CancellationToken cancellationToken) =>
        store is IHistoryDeadLetters history
            ? history.WriteDeadLettersAsync(letters, cancellationToken)
            : throw new NotSupportedException($"{store.GetType().Name} keeps no dead letters; use a history store.");
}

/// <summary>Starts a per-node <see cref="BatchWriter{TBatch}"/> and flushes it during coordinated shutdown.</summary>
public static class BatchWriterHosting
{
    /// <summary>How long shutdown waits for the last items to reach the store.</summary>
    public static readonly TimeSpan ShutdownFlushTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The timeout of the shutdown phase the flush runs in. Akka gives that phase 5 s by default and moves on when it
    /// runs out, which cut the flush's 10 s in half: on a loaded node the last batch of minute rows was abandoned
    /// with the actor system, and the entities' final snapshots already covered those minutes, so nothing wrote them
    /// again. The phase now outlasts the flush's own wait, so the flush ends by its own timeout and says so.
    /// </summary>
    public static readonly TimeSpan ShutdownFlushPhaseTimeout = ShutdownFlushTimeout + TimeSpan.FromSeconds(5);

    /// <summary>
    /// Starts the writer <paramref name="props"/> makes (given settings from <see cref="EngineOptions.SnapshotFlushInterval"/>
    /// and <paramref name="capacity"/>) as <paramref name="actorName"/>, registered as <typeparamref name="TWriter"/>.
    /// </summary>
    public static AkkaConfigurationBuilder AddBatchWriter<TWriter, TBatch>(this AkkaConfigurationBuilder builder, string actorName, int capacity,
        Func<IDependencyResolver, BatchWriterSettings, TimeProvider, Props> props)
        where TWriter : BatchWriter<TBatch>
        where TBatch : class, IWriteBatch<TBatch>, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(props);
        builder.WithShutdownPhaseTimeout(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, ShutdownFlushPhaseTimeout);
        return builder.WithActors((system, registry, resolver) =>
        {
            var options = resolver.GetService<IOptions<EngineOptions>>().Value;
            var time = resolver.GetService<TimeProvider>();
            var writer = system.ActorOf(props(resolver, BatchWriterSettings.For(options.SnapshotFlushInterval, capacity), time), actorName);
            registry.Register<TWriter>(writer);

            // Entities hand over their last items when sharding stops them; this runs after that phase.
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, $"flush-{actorName}",
                async () =>
                {
                    try
                    {
                        await writer.Ask<BatchWriter<TBatch>.Flushed>(BatchWriter<TBatch>.FlushNow.Instance, ShutdownFlushTimeout);
                    }
                    catch (AskTimeoutException)
                    {
                        system.Log.Warning("{0} was still writing at shutdown", actorName);
                    }

                    return Akka.Done.Instance;
                });
        });
    }
}
