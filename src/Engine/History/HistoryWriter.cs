using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.History;

/// <summary>
/// One per node: collects the facts of events the tenant entities accepted (orders, refunds, sessions, and for
/// multi-channel insight order touches, ad spend, shipments and analytics traffic) and writes them to the history
/// store in batches, so an entity never waits on I/O. Pending facts are coalesced by key (for an order the newest
/// version wins); the store's writes are idempotent, so a retry or a replay after restart cannot count twice. A fact
/// the store refuses is dead-lettered and the rest written; a full writer answers <see cref="Refused"/> and the
/// entity hands the event over again later (see <see cref="BatchWriter{TBatch}"/>).
/// </summary>
public sealed class HistoryWriter : BatchWriter<HistoryBatch>
{
    /// <summary>
    /// Facts held at most (pending and being written). About 50 MB of ordinary orders; a write starts early at half,
    /// so an import or a journal replay runs at the store's pace instead of piling up here.
    /// </summary>
    public const int DefaultCapacity = 40_000;

    public HistoryWriter(IHistoryStore store, TimeSpan flushInterval)
        : this(new HistoryFactSink(store), BatchWriterSettings.For(flushInterval, DefaultCapacity), TimeProvider.System)
    {
    }

    public HistoryWriter(IBatchSink<HistoryBatch> sink, BatchWriterSettings settings, TimeProvider time)
        : base(sink, settings, time)
    {
        Receive<Record>(msg =>
        {
            // A forced hand-over comes from a stopping entity, whose facts would otherwise be covered by its final snapshot.
            if (!msg.Force && !HasRoomFor(2))
            {
                Sender.Tell(new Refused(msg.Event));
                return;
            }

            HistoryBatch facts;
            try
            {
                facts = new HistoryBatch();
                facts.Add(msg.Event);
            }
            catch (Exception ex) when (ex is ArithmeticException or FormatException or ArgumentException)
            {
                // The event cannot become a fact (e.g. quantity × price overflows): keep it where an Admin sees it.
                DeadLetterNow(HistoryDeadLetter.Of(msg.Event.Store.TenantId, msg.Event.Store.StoreId, "event", msg.Event.EventId, msg.Event, ex,
                    time.GetUtcNow()));
                return;
            }

            Accept(pending => pending.AddRange(facts));
        });
    }

    protected override string What => "history facts";

    /// <summary>An event a tenant entity accepted (live or replayed from its journal); its facts go to history.</summary>
    /// <param name="Force">Taken even when the writer is full: the entity is stopping and cannot keep it.</param>
    public sealed record Record(CommerceEvent Event, bool Force = false);

    /// <summary>The writer is full: the sender keeps <paramref name="Event"/> and hands it over again later.</summary>
    public sealed record Refused(CommerceEvent Event);
}

/// <summary>History facts into the history store; dead letters into its dead-letter table.</summary>
public sealed class HistoryFactSink(IHistoryStore store) : IBatchSink<HistoryBatch>
{
    public Task WriteAsync(HistoryBatch batch, CancellationToken cancellationToken) => store.WriteFactsAsync(batch, cancellationToken);

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => store.IsReachableAsync(cancellationToken);

    public Task WriteDeadLettersAsync(IReadOnlyCollection<HistoryDeadLetter> letters, CancellationToken cancellationToken) =>
        store.WriteDeadLettersAsync(letters, cancellationToken);
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
            var time = resolver.GetService<TimeProvider>();
            var settings = BatchWriterSettings.For(options.SnapshotFlushInterval, HistoryWriter.DefaultCapacity);
            var writer = system.ActorOf(Props.Create(() => new HistoryWriter(new HistoryFactSink(store), settings, time)), "history-writer");
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
