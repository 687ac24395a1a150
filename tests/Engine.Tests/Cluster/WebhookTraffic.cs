using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Quarantine;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Clustering;

/// <summary>
/// A day of webhook traffic for several stores: orders, edits, cancellations, refunds, and the repeats a real
/// platform sends (the same delivery again, a refund again under a new webhook id). Each order's deliveries form
/// a chain sent in order, as Shopify does per resource; chains run concurrently.
/// </summary>
internal sealed class WebhookTraffic
{
    private WebhookTraffic(IReadOnlyList<StoreRef> stores, IReadOnlyList<IReadOnlyList<CommerceEvent>> chains,
        IReadOnlyList<CommerceEvent> distinctEvents)
    {
        Stores = stores;
        Chains = chains;
        DistinctEvents = distinctEvents;
    }

    public IReadOnlyList<StoreRef> Stores { get; }

    /// <summary>Deliveries per order, repeats included, in the order they are sent.</summary>
    public IReadOnlyList<IReadOnlyList<CommerceEvent>> Chains { get; }

    /// <summary>Every event once: what the oracle adds up.</summary>
    public IReadOnlyList<CommerceEvent> DistinctEvents { get; }

    public int Deliveries => Chains.Sum(c => c.Count);

    /// <summary>Deterministic traffic for <paramref name="storeCount"/> London stores, placed within the 10 hours before <paramref name="now"/>.</summary>
    public static WebhookTraffic Generate(int storeCount, int ordersPerStore, DateTimeOffset now, int seed)
    {
        var random = new Random(seed);
        var stores = Enumerable.Range(0, storeCount).Select(i => new StoreRef("acme", $"shop-{i:D2}")).ToArray();
        var chains = new List<IReadOnlyList<CommerceEvent>>();
        var distinct = new List<CommerceEvent>();

        foreach (var store in stores)
        {
            for (var i = 0; i < ordersPerStore; i++)
            {
                var orderId = $"{store.StoreId}-o{i}";
                var placedAt = now.AddMinutes(-random.Next(30, 600));
                var units = random.Next(1, 5);
                var total = random.Next(500, 25_000) / 100m;
                var placed = Placed(orderId, placedAt, total, units, returning: random.Next(3) == 0, store: store);
                var sent = new List<CommerceEvent> { placed };
                var logical = new List<CommerceEvent> { placed };
                OrderEvent latest = placed;

                if (random.Next(10) < 3)
                {
                    latest = Updated(latest, placedAt.AddMinutes(10), random.Next(500, 25_000) / 100m);
                    sent.Add(latest);
                    logical.Add(latest);
                }

                if (random.Next(10) < 2)
                {
                    var cancelled = Cancelled(latest, placedAt.AddMinutes(15));
                    latest = cancelled;
                    sent.Add(cancelled);
                    logical.Add(cancelled);
                }

                if (random.Next(10) < 3)
                {
                    var amount = Math.Round(latest.TotalPrice * random.Next(10, 101) / 100m, 2);
                    var refund = Refund($"r-{orderId}", orderId, placedAt.AddMinutes(20), amount, store: store);
                    sent.Add(refund);
                    logical.Add(refund);
                    if (random.Next(10) < 3)
                    {
                        // The platform's retry of the same refund under a fresh webhook id.
                        sent.Add(Refund($"r-{orderId}", orderId, placedAt.AddMinutes(20), amount, eventId: $"redelivery-{orderId}", store: store));
                    }
                }

                if (random.Next(4) == 0)
                {
                    // The same delivery again, after everything else of the order.
                    sent.Add(placed);
                }

                chains.Add(sent);
                distinct.AddRange(logical);
            }
        }

        // Interleave the stores' chains, so every node and shard is busy at once.
        var shuffled = chains.OrderBy(_ => random.Next()).ToArray();
        return new WebhookTraffic(stores, shuffled, distinct);
    }

    /// <summary>The figures a dashboard must show, added up from the events alone, with no SalesDash code.</summary>
    public Expected ExpectedFor(StoreRef store)
    {
        var events = DistinctEvents.Where(e => e.Store == store).ToArray();
        var orders = events.OfType<OrderEvent>().GroupBy(o => o.OrderId).Select(g => g.MaxBy(o => o.Version)!).ToArray();
        var gross = orders.Sum(o => o.TotalPrice);
        var refunds = events.OfType<RefundIssued>().Sum(r => r.Amount);
        return new Expected(
            Gross: gross,
            Refunds: refunds,
            Net: gross - refunds,
            Orders: orders.Length,
            Units: orders.Sum(o => o.Lines.Sum(l => l.Quantity)),
            NewCustomers: orders.Count(o => !o.ReturningCustomer),
            ReturningCustomers: orders.Count(o => o.ReturningCustomer),
            EventsApplied: events.Length);
    }

    public sealed record Expected(decimal Gross, decimal Refunds, decimal Net, int Orders, int Units, int NewCustomers,
        int ReturningCustomers, long EventsApplied);
}

/// <summary>
/// Sends chains like a webhook platform behind a load balancer: each delivery goes to the next serving node; a
/// failure (timeout, node gone) is retried on the next one after a short pause, until it is acknowledged.
/// </summary>
internal sealed class WebhookSender(IReadOnlyList<ClusterTestNode> nodes, TimeSpan giveUpAfter)
{
    private ClusterTestNode[] _nodes = [.. nodes];
    private int _next;
    private int _completedChains;
    private int _failedAttempts;
    private int _accepted;
    private int _duplicates;
    private readonly Lock _waitersLock = new();
    private readonly List<(int Chains, TaskCompletionSource Reached)> _waiters = [];

    public int CompletedChains => Volatile.Read(ref _completedChains);

    /// <summary>
    /// Completes once at least <paramref name="chains"/> chains are through: the moment a test means by "mid-stream",
    /// however long a loaded machine takes to get there.
    /// </summary>
    public Task WhenChainsCompleted(int chains)
    {
        lock (_waitersLock)
        {
            if (CompletedChains >= chains)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((chains, reached));
            return reached.Task;
        }
    }

    public int FailedAttempts => Volatile.Read(ref _failedAttempts);

    public int Accepted => Volatile.Read(ref _accepted);

    public int Duplicates => Volatile.Read(ref _duplicates);

    /// <summary>
    /// Sends every chain with <paramref name="concurrency"/> chains in flight, each sender pausing <paramref name="pace"/>
    /// between deliveries, so the stream lasts long enough for something to happen in the middle of it.
    /// </summary>
    public async Task SendAsync(IReadOnlyList<IReadOnlyList<CommerceEvent>> chains, int concurrency, TimeSpan pace, CancellationToken ct)
    {
        var queue = new System.Collections.Concurrent.ConcurrentQueue<IReadOnlyList<CommerceEvent>>(chains);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (queue.TryDequeue(out var chain))
            {
                foreach (var delivery in chain)
                {
                    var outcome = await DeliverAsync(delivery, ct);
                    Interlocked.Increment(ref outcome == IngestOutcome.Accepted ? ref _accepted : ref _duplicates);
                    await Task.Delay(pace, ct);
                }

                ChainCompleted();
            }
        }, ct)));
    }

    private void ChainCompleted()
    {
        var completed = Interlocked.Increment(ref _completedChains);
        lock (_waitersLock)
        {
            foreach (var waiter in _waiters.Where(w => w.Chains <= completed).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Reached.TrySetResult();
            }
        }
    }

    /// <summary>Delivers one event, retrying on the next serving node until it is acknowledged.</summary>
    public Task<IngestOutcome> DeliverAsync(CommerceEvent delivery, CancellationToken ct) =>
        UntilAnsweredAsync(node => node.Ingest.IngestAsync(delivery, ct), $"{delivery.EventId} for {delivery.Store}", ct);

    /// <summary>
    /// Asks the next serving node, retrying on the next one until it answers, as a dashboard behind a load
    /// balancer would reload; a store whose node just died answers once its shard has moved.
    /// </summary>
    public async Task<T> UntilAnsweredAsync<T>(Func<ClusterTestNode, Task<T>> ask, string what, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + giveUpAfter;
        while (true)
        {
            try
            {
                // No serving node is what a sender sees as connection refused while a process restarts.
                var node = NextServingNode() ?? throw new InvalidOperationException("no node is serving");
                return await ask(node);
            }
            catch (Exception e) when (e is not InvalidCommerceEventException && !ct.IsCancellationRequested)
            {
                // What a webhook sender sees as a 503 or a dropped connection: try again, elsewhere.
                Interlocked.Increment(ref _failedAttempts);
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"{what} was not answered within {giveUpAfter}", e);
                }

                await Task.Delay(100, ct);
            }
        }
    }

    /// <summary>Puts a (re)started node behind the load balancer.</summary>
    public void Add(ClusterTestNode node)
    {
        ClusterTestNode[] current, updated;
        do
        {
            current = Volatile.Read(ref _nodes);
            updated = [.. current, node];
        }
        while (Interlocked.CompareExchange(ref _nodes, updated, current) != current);
    }

    private ClusterTestNode? NextServingNode()
    {
        var current = Volatile.Read(ref _nodes);
        for (var i = 0; i < current.Length; i++)
        {
            var node = current[(int)((uint)Interlocked.Increment(ref _next) % current.Length)];
            if (node.Serving)
            {
                return node;
            }
        }

        return null;
    }
}
