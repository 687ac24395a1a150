using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
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

    private readonly TimeProvider _time;

    public HistoryWriter(IBatchSink<HistoryBatch> sink, BatchWriterSettings settings, TimeProvider time)
        : base(sink, settings, time)
    {
        _time = time;
        Receive<Record>(msg =>
        {
            // An event makes up to two facts (the order and its insight touch).
            if (Refuses(msg.Force, 2, new Refused(msg.Event)))
            {
                return;
            }

            // Straight into the pending batch: HistoryBatch.Add makes both facts before it adds either, so an event that
            // cannot become facts leaves pending as it was. A batch of its own per event cost seven dictionaries a webhook.
            Accept(pending => AddFacts(pending, msg.Event));
        });
        Receive<RecordAll>(msg =>
        {
            if (!HasRoomFor(2 * msg.Events.Count))
            {
                // One refusal per event: the entity keeps and hands over each the way it does a single Record's.
                foreach (var e in msg.Events)
                {
                    Sender.Tell(new Refused(e));
                }

                NoteRefused(Sender);
                return;
            }

            // Straight into the pending batch, as for Record: no batch of the delivery's own to copy from.
            Accept(pending =>
            {
                foreach (var e in msg.Events)
                {
                    AddFacts(pending, e);
                }
            });
        });
    }

    /// <summary>Adds an event's facts, both or neither; an event that cannot become facts is dead-lettered instead.</summary>
    private void AddFacts(HistoryBatch facts, CommerceEvent commerceEvent)
    {
        try
        {
            facts.Add(commerceEvent);
        }
        catch (Exception ex) when (ex is ArithmeticException or FormatException or ArgumentException)
        {
            // The event cannot become a fact (e.g. quantity × price overflows): keep it where an Admin sees it.
            DeadLetterNow(HistoryDeadLetter.Of(commerceEvent.Store.TenantId, commerceEvent.Store.StoreId, "event", commerceEvent.EventId, commerceEvent, ex,
                _time.GetUtcNow()));
        }
    }

    protected override string What => "history facts";

    /// <summary>An event a tenant entity accepted (live or replayed from its journal); its facts go to history.</summary>
    /// <param name="Force">Taken even when the writer is full: the entity is stopping and cannot keep it.</param>
    public sealed record Record(CommerceEvent Event, bool Force = false);

    /// <summary>
    /// Events an entity accepted from one delivery (Kafka mode folds a batch at once), handed over in one message. A full
    /// writer refuses each with its own <see cref="Refused"/>, as if they had come one by one.
    /// </summary>
    public sealed record RecordAll(IReadOnlyList<CommerceEvent> Events);

    /// <summary>The writer is full: the sender keeps <paramref name="Event"/> and hands it over again later.</summary>
    public sealed record Refused(CommerceEvent Event);
}

/// <summary>History facts into the history store; dead letters into its dead-letter table.</summary>
public sealed class HistoryFactSink(IHistoryStore store) : HistoryStoreSink<HistoryBatch>(store)
{
    public override Task WriteAsync(HistoryBatch batch, CancellationToken cancellationToken) => store.WriteFactsAsync(batch, cancellationToken);
}

/// <summary>Starts the per-node <see cref="HistoryWriter"/>, flushed during coordinated shutdown.</summary>
public static class HistoryWriterHosting
{
    public static AkkaConfigurationBuilder AddHistoryWriter(this AkkaConfigurationBuilder builder) =>
        builder.AddBatchWriter<HistoryWriter, HistoryBatch>("history-writer", HistoryWriter.DefaultCapacity,
            (resolver, settings, time) => Props.Create(() => new HistoryWriter(new HistoryFactSink(resolver.GetService<IHistoryStore>()), settings, time)));
}
