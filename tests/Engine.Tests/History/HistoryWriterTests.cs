using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.History.Snapshots;
using SalesDash.Engine.History.ClickHouse;
using SalesDash.Engine.Tests.Support;
using static SalesDash.Engine.Tests.History.Facts;

namespace SalesDash.Engine.Tests.History;

/// <summary>
/// The per-node history writers against the real stores: a fact the store refuses is isolated and dead-lettered
/// while everything else (every other tenant's too) is written; a store that is down is retried, not split, and
/// loses nothing; a full writer refuses its producer instead of growing.
/// </summary>
public sealed class HistoryWriterTests(ITestOutputHelper output) : Akka.Hosting.TestKit.TestKit("history-writer-tests", output)
{
    private static readonly DateTimeOffset At = new(2026, 6, 10, 15, 30, 0, TimeSpan.Zero);
    private static readonly StoreRef Other = new("globex", "us-shop");
    private static readonly HistoryRange Day = new(At.AddDays(-1), At.AddDays(1));

    /// <summary>Well beyond Decimal(18,2)'s 9,999,999,999,999,999.99, well inside .NET's decimal.</summary>
    private const decimal Overflowing = 100_000_000_000_000_000m;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Kinds => ["DuckDb", "ClickHouse"];

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    private static BatchWriterSettings Fast(int capacity = 10_000) =>
        new(TimeSpan.FromMilliseconds(100), capacity, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(400));

    private IActorRef StartHistoryWriter(IBatchSink<HistoryBatch> sink, BatchWriterSettings settings) =>
        Sys.ActorOf(Props.Create(() => new HistoryWriter(sink, settings, new FakeTimeProvider(At))));

    /// <summary>
    /// The next message to the test actor. Used only for answers already on their way (the writer answers in order), so
    /// the bound is never what a test waits for; TestKit refuses an infinite one.
    /// </summary>
    private async Task<object> ReceiveOneAsync(CancellationToken cancellationToken) =>
        await ExpectMsgAsync<object>(TimeSpan.FromMinutes(1), cancellationToken: cancellationToken);

    private static async Task<HistoryTotals> TotalsAsync(IHistoryStore store, StoreRef shop)
    {
        var slots = await store.SlotsAsync(HistoryScope.Store(shop.TenantId, shop.StoreId), Day, TimeSpan.FromDays(2), Ct);
        return slots.Aggregate(HistoryTotals.Zero, (sum, slot) => sum.Plus(slot.Totals));
    }

    private static List<CommerceEvent> GoodOrders(StoreRef shop, int count, string prefix) =>
        [.. Enumerable.Range(0, count).Select(i => (CommerceEvent)Order($"{prefix}{i}", At.AddMinutes(-i), [("MUG", 1 + (i % 3), 10m + i)], store: shop))];

    private static decimal RevenueOf(IEnumerable<CommerceEvent> orders) => orders.Cast<OrderEvent>().Sum(o => o.TotalPrice);

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_fact_that_overflows_decimal_18_2_is_dead_lettered_and_every_other_fact_is_written(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var writer = StartHistoryWriter(new HistoryFactSink(sut.Store), Fast());
        var mine = GoodOrders(Shop, 40, "a");
        var theirs = GoodOrders(Other, 25, "b");
        var bad = Order("too-big", At.AddMinutes(-5), [("GOLD", 1, Overflowing)]);

        // The bad fact sits in the middle of one batch with both tenants' facts.
        foreach (var e in mine.Take(20).Concat(theirs).Append(bad).Concat(mine.Skip(20)))
        {
            writer.Tell(new HistoryWriter.Record(e));
        }

        await writer.Ask<HistoryWriter.Flushed>(HistoryWriter.FlushNow.Instance, cancellationToken: Ct);

        var minesTotals = await TotalsAsync(sut.Store, Shop);
        var theirsTotals = await TotalsAsync(sut.Store, Other);
        Assert.Equal((40L, RevenueOf(mine)), (minesTotals.Orders, minesTotals.GrossRevenue));
        Assert.Equal((25L, RevenueOf(theirs)), (theirsTotals.Orders, theirsTotals.GrossRevenue));

        // Exactly the bad order's facts (the order and its insight touch), with the store's reason, and nothing of anyone else's.
        var letters = await sut.Store.DeadLettersAsync(Shop.TenantId, 100, Ct);
        Assert.NotEmpty(letters);
        Assert.All(letters, l => Assert.Equal((Shop.StoreId, true), (l.StoreId, l.Key.StartsWith("too-big", StringComparison.Ordinal))));
        var order = Assert.Single(letters, l => l.Kind == "order");
        Assert.False(string.IsNullOrWhiteSpace(order.Reason));
        Assert.Contains("too-big", order.Payload, StringComparison.Ordinal);
        Assert.Empty(await sut.Store.DeadLettersAsync(Other.TenantId, 100, Ct));

        var status = await writer.Ask<HistoryWriter.Status>(HistoryWriter.GetStatus.Instance, TimeSpan.FromSeconds(10), Ct);
        Assert.Equal((0, 0, 0), (status.Pending, status.InFlight, status.Failures));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_minute_row_the_store_refuses_is_dead_lettered_and_the_other_rows_are_written(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var writer = Sys.ActorOf(Props.Create(() => new SnapshotWriter(new MinuteRowSink(sut.Store), Fast(), new FakeTimeProvider(At))));
        var minute = new DateTimeOffset(2026, 6, 10, 12, 0, 0, TimeSpan.Zero);
        var rows = Enumerable.Range(0, 30)
            .Select(i => new MinuteKpiRow(Shop.TenantId, Shop.StoreId, minute.AddMinutes(i), "GBP", i == 17 ? Overflowing : 10m + i, 0m, 1, 1, 1, 0, 0))
            .ToList();

        writer.Tell(new SnapshotWriter.Enqueue(rows));
        await writer.Ask<SnapshotWriter.Flushed>(SnapshotWriter.FlushNow.Instance, cancellationToken: Ct);

        var stored = await sut.Store.ReadAsync(Shop, minute, minute.AddHours(1), Ct);
        Assert.Equal(29, stored.Count);
        Assert.DoesNotContain(stored, r => r.Minute == minute.AddMinutes(17));
        Assert.Equal(rows.Where((_, i) => i != 17).Sum(r => r.GrossRevenue), stored.Sum(r => r.GrossRevenue));
        var letter = Assert.Single(await sut.Store.DeadLettersAsync(Shop.TenantId, 100, Ct));
        Assert.Equal(("minute", "2026-06-10T12:17Z"), (letter.Kind, letter.Key));
    }

    [Fact]
    public async Task A_ClickHouse_server_that_is_down_is_retried_without_splitting_and_nothing_is_lost()
    {
        await using var direct = await StoreUnderTest.CreateAsync("ClickHouse", Ct);
        var url = StoreUnderTest.ClickHouseUrl();
        await using var cable = new TcpSwitch(url.Host, url.Port);
        var database = direct.ClickHouseDatabase;
        using var throughCable = new ClickHouseHistoryStore($"Host=127.0.0.1;Port={cable.Port};Protocol=http;Database={database}");
        var writer = StartHistoryWriter(new HistoryFactSink(throughCable), Fast());
        var orders = GoodOrders(Shop, 30, "d");

        // The server is down: the first cycle finds it unreachable, keeps every fact, and backs off.
        foreach (var e in orders)
        {
            writer.Tell(new HistoryWriter.Record(e));
        }

        await writer.Ask<HistoryWriter.Flushed>(HistoryWriter.FlushNow.Instance, cancellationToken: Ct);
        var down = await writer.Ask<HistoryWriter.Status>(HistoryWriter.GetStatus.Instance, TimeSpan.FromSeconds(10), Ct);
        Assert.True(down.Failures >= 1, $"the write should have failed, status {down}");
        Assert.Equal(60, down.Pending + down.InFlight);

        // Back up: the backoff timer retries on its own and everything goes in, nothing dead-lettered.
        cable.On();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        HistoryWriter.Status status;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the writer never caught up after the server came back");
            await Task.Delay(100, Ct);
            status = await writer.Ask<HistoryWriter.Status>(HistoryWriter.GetStatus.Instance, TimeSpan.FromSeconds(10), Ct);
        }
        while (status.Pending + status.InFlight > 0 || status.Failures > 0);

        var totals = await TotalsAsync(direct.Store, Shop);
        Assert.Equal((30L, RevenueOf(orders)), (totals.Orders, totals.GrossRevenue));
        Assert.Empty(await direct.Store.DeadLettersAsync(Shop.TenantId, 100, Ct));
    }

    [Fact]
    public async Task A_full_writer_refuses_its_producer_instead_of_growing_and_takes_the_refused_facts_later()
    {
        var gate = new GatedSink();
        var writer = StartHistoryWriter(gate, Fast(capacity: 10));
        var orders = GoodOrders(Shop, 12, "f");

        // Each order is two facts (the order and its insight touch): five fill the writer while the store is stuck.
        foreach (var e in orders)
        {
            writer.Tell(new HistoryWriter.Record(e));
        }

        var refused = new List<CommerceEvent>();
        for (var i = 0; i < 7; i++)
        {
            refused.Add((await ExpectMsgAsync<HistoryWriter.Refused>(cancellationToken: Ct)).Event);
        }

        Assert.Equal(orders.Skip(5).Select(e => e.EventId), refused.Select(e => e.EventId));
        var full = await writer.Ask<HistoryWriter.Status>(HistoryWriter.GetStatus.Instance, TimeSpan.FromSeconds(10), Ct);
        Assert.True(full.Pending + full.InFlight <= full.Capacity, $"held {full.Pending + full.InFlight} of {full.Capacity}");
        Assert.Equal(10, full.Pending + full.InFlight);

        // The store moves again; the producer hands refused events over (as the entity does) until all are taken.
        gate.Open();
        var toSend = refused;
        for (var round = 0; toSend.Count > 0; round++)
        {
            Assert.True(round < 20, "the writer kept refusing after the store moved again");
            foreach (var e in toSend)
            {
                writer.Tell(new HistoryWriter.Record(e));
            }

            await writer.Ask<HistoryWriter.Flushed>(HistoryWriter.FlushNow.Instance, cancellationToken: Ct);

            // The writer answers this actor in order, so every refusal of the round arrives before this status: no time window.
            // A write that made room since this actor was refused says so too (BatchWriter.Room); this loop retries anyway.
            writer.Tell(HistoryWriter.GetStatus.Instance, TestActor);
            toSend = [];
            for (var answer = await ReceiveOneAsync(Ct); answer is not HistoryWriter.Status; answer = await ReceiveOneAsync(Ct))
            {
                if (answer is not BatchWriter.Room)
                {
                    toSend.Add(Assert.IsType<HistoryWriter.Refused>(answer).Event);
                }
            }
        }
        Assert.Equal(orders.Select(e => ((OrderEvent)e).OrderId).Order(), gate.WrittenOrderIds.Order());
    }

    [Fact]
    public async Task An_event_whose_quantity_times_price_overflows_is_dead_lettered_and_the_writer_keeps_its_other_facts()
    {
        await using var sut = await StoreUnderTest.CreateAsync("DuckDb", Ct);
        var writer = StartHistoryWriter(new HistoryFactSink(sut.Store), Fast());
        var before = GoodOrders(Shop, 10, "p");
        var after = GoodOrders(Shop, 10, "q");

        // decimal.MaxValue × 2 cannot even be computed: the fact cannot be built.
        var overflowing = Order("huge", At.AddMinutes(-3), [("MUG", 1, 1m)]) with
        {
            Lines = [new OrderLine("MUG", "Mug", 2, decimal.MaxValue)],
        };
        foreach (var e in before.Append(overflowing).Concat(after))
        {
            writer.Tell(new HistoryWriter.Record(e));
        }

        await writer.Ask<HistoryWriter.Flushed>(HistoryWriter.FlushNow.Instance, cancellationToken: Ct);

        var totals = await TotalsAsync(sut.Store, Shop);
        Assert.Equal((20L, RevenueOf(before) + RevenueOf(after)), (totals.Orders, totals.GrossRevenue));
        var letter = Assert.Single(await sut.Store.DeadLettersAsync(Shop.TenantId, 100, Ct));
        Assert.Equal(("event", overflowing.EventId), (letter.Kind, letter.Key));
        Assert.Contains("Overflow", letter.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_delivery_handed_over_in_one_message_writes_every_fact_and_dead_letters_only_the_event_that_cannot_be_one()
    {
        await using var sut = await StoreUnderTest.CreateAsync("DuckDb", Ct);
        var writer = StartHistoryWriter(new HistoryFactSink(sut.Store), Fast());
        var before = GoodOrders(Shop, 10, "r");
        var after = GoodOrders(Shop, 10, "s");
        var overflowing = Order("huge", At.AddMinutes(-3), [("MUG", 1, 1m)]) with
        {
            Lines = [new OrderLine("MUG", "Mug", 2, decimal.MaxValue)],
        };

        // Kafka mode hands over a delivery's accepted events at once; the bad one sits in the middle of it.
        writer.Tell(new HistoryWriter.RecordAll([.. before.Append(overflowing).Concat(after)]));
        await writer.Ask<HistoryWriter.Flushed>(HistoryWriter.FlushNow.Instance, cancellationToken: Ct);

        var totals = await TotalsAsync(sut.Store, Shop);
        Assert.Equal((20L, RevenueOf(before) + RevenueOf(after)), (totals.Orders, totals.GrossRevenue));
        var letter = Assert.Single(await sut.Store.DeadLettersAsync(Shop.TenantId, 100, Ct));
        Assert.Equal(("event", overflowing.EventId), (letter.Kind, letter.Key));
    }

    [Fact]
    public async Task A_full_writer_refuses_each_event_of_a_delivery_handed_over_at_once_and_takes_them_later()
    {
        var gate = new GatedSink();
        var writer = StartHistoryWriter(gate, Fast(capacity: 10));
        var first = GoodOrders(Shop, 5, "t");
        var second = GoodOrders(Shop, 3, "u");

        // The first delivery fills the writer (two facts an order) while the store is stuck; the second finds no room.
        writer.Tell(new HistoryWriter.RecordAll(first));
        writer.Tell(new HistoryWriter.RecordAll(second));
        var refused = new List<CommerceEvent>();
        for (var i = 0; i < second.Count; i++)
        {
            refused.Add((await ExpectMsgAsync<HistoryWriter.Refused>(cancellationToken: Ct)).Event);
        }

        Assert.Equal(second.Select(e => e.EventId), refused.Select(e => e.EventId));

        // The store moves again; the refused events handed over one by one, as the entity does, are taken.
        gate.Open();
        await writer.Ask<HistoryWriter.Flushed>(HistoryWriter.FlushNow.Instance, cancellationToken: Ct);
        foreach (var e in refused)
        {
            writer.Tell(new HistoryWriter.Record(e));
        }

        await writer.Ask<HistoryWriter.Flushed>(HistoryWriter.FlushNow.Instance, cancellationToken: Ct);
        Assert.Equal(first.Concat(second).Select(e => ((OrderEvent)e).OrderId).Order(), gate.WrittenOrderIds.Order());
    }

    [Fact]
    public async Task A_producer_the_writer_refused_is_told_there_is_room_once_a_write_has_made_some()
    {
        var gate = new GatedSink();
        var writer = StartHistoryWriter(gate, Fast(capacity: 10));
        var first = GoodOrders(Shop, 5, "v");
        var second = GoodOrders(Shop, 3, "w");

        // The first delivery fills the writer while the store is stuck; the second is refused, event by event.
        writer.Tell(new HistoryWriter.RecordAll(first));
        writer.Tell(new HistoryWriter.RecordAll(second));
        for (var i = 0; i < second.Count; i++)
        {
            await ExpectMsgAsync<HistoryWriter.Refused>(cancellationToken: Ct);
        }

        // Nothing is said while the writer is still full.
        var full = await writer.Ask<HistoryWriter.Status>(HistoryWriter.GetStatus.Instance, TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(10, full.Pending + full.InFlight);

        // The store moves again: once the write is done, the refused producer hears it may hand its events over, and they fit.
        gate.Open();
        await ExpectMsgAsync<BatchWriter.Room>(TimeSpan.FromMinutes(1), cancellationToken: Ct);
        writer.Tell(new HistoryWriter.RecordAll(second));
        await writer.Ask<HistoryWriter.Flushed>(HistoryWriter.FlushNow.Instance, cancellationToken: Ct);
        Assert.Equal(first.Concat(second).Select(e => ((OrderEvent)e).OrderId).Order(), gate.WrittenOrderIds.Order());
    }

    /// <summary>A store whose writes hang until opened; records which orders it was given.</summary>
    private sealed class GatedSink : IBatchSink<HistoryBatch>
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<string> _written = [];

        public IReadOnlyList<string> WrittenOrderIds
        {
            get
            {
                lock (_written)
                {
                    return [.. _written];
                }
            }
        }

        public void Open() => _open.TrySetResult();

        public async Task WriteAsync(HistoryBatch batch, CancellationToken cancellationToken)
        {
            await _open.Task.WaitAsync(cancellationToken);
            lock (_written)
            {
                _written.AddRange(batch.Orders.Select(o => o.OrderId));
            }
        }

        public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        public Task WriteDeadLettersAsync(IReadOnlyCollection<HistoryDeadLetter> letters, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("nothing should be dead-lettered");
    }
}
