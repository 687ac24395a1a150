using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>The compact dedupe memory is exact: ids that share a hash are neither merged nor double-counted.</summary>
public sealed class KpiStateDedupeTests
{
    private static readonly DateTimeOffset Start = Utc(2026, 6, 1, 0, 0);

    // Two and a half days of trade (inside the 72-hour event-id horizon): orders, later edits of some, refunds, sessions, and every fifth delivery retried.
    private static IReadOnlyList<CommerceEvent> Trade()
    {
        var random = new Random(3);
        var events = new List<CommerceEvent>();
        for (var i = 0; i < 2_500; i++)
        {
            var at = Start.AddMinutes(i * 1.5);
            var placed = Placed($"o{i}", at, 10m + random.Next(9_000) / 100m, units: 1 + random.Next(3));
            events.Add(placed);
            if (i % 7 == 0)
            {
                events.Add(Updated(placed, at.AddMinutes(3), placed.TotalPrice + 1.25m));
            }

            if (i % 11 == 0)
            {
                events.Add(Refund($"r{i}", placed.OrderId, at.AddMinutes(9), 2.5m));
            }

            events.Add(Session($"s{i}", at));
            if (i % 5 == 0)
            {
                events.Add(events[random.Next(events.Count)]);
            }
        }

        return events;
    }

    [Fact]
    public void A_hash_every_id_shares_gives_the_same_figures_as_distinct_hashes_and_the_oracle()
    {
        var events = Trade();
        var colliding = new KpiState(Store, _ => 7);
        var real = new KpiState(Store);
        var outcomes = new List<(IngestOutcome, IngestOutcome)>();
        foreach (var e in events)
        {
            outcomes.Add((colliding.Decide(e), real.Decide(e)));
            colliding.Apply(e);
            real.Apply(e);
        }

        var now = Start.AddMinutes((2_500 * 1.5) + 20);
        var tiles = colliding.Tiles(now, "UTC", "GBP");

        Assert.All(outcomes, o => Assert.Equal(o.Item2, o.Item1));
        Assert.Equivalent(real.Tiles(now, "UTC", "GBP"), tiles, strict: true);

        // The oracle: each order counted once at its latest version, each refund once, each session once.
        var latest = events.OfType<OrderEvent>().GroupBy(o => o.OrderId).Select(g => g.MaxBy(o => o.Version)!).ToArray();
        var today = latest.Where(o => o.PlacedAt >= Utc(2026, 6, 3, 0, 0)).ToArray();
        var refundsToday = events.OfType<RefundIssued>().DistinctBy(r => r.RefundId).Where(r => r.OccurredAt >= Utc(2026, 6, 3, 0, 0));
        Assert.Equal(today.Sum(o => o.TotalPrice), tiles.GrossRevenue.Value);
        Assert.Equal(today.Length, tiles.Orders.Value);
        Assert.Equal(refundsToday.Sum(r => r.Amount), tiles.Refunds.Value);
        Assert.Equal(events.Select(e => e.EventId).Distinct().Count(), tiles.EventsApplied);
    }

    [Fact]
    public void Snapshot_of_colliding_ids_restores_every_order_and_still_refuses_their_retries()
    {
        var events = Trade();
        var colliding = new KpiState(Store, _ => 7);
        foreach (var e in events)
        {
            colliding.Apply(e);
        }

        var restored = KpiState.FromSnapshot(Store, colliding.ToSnapshot());
        var now = Start.AddMinutes((2_500 * 1.5) + 20);

        Assert.Equivalent(colliding.Tiles(now, "UTC", "GBP"), restored.Tiles(now, "UTC", "GBP"), strict: true);
        Assert.Equal(colliding.TrackedOrderCount, restored.TrackedOrderCount);
        Assert.Equal(colliding.RememberedEventIdCount, restored.RememberedEventIdCount);
        Assert.All(events.TakeLast(200), e => Assert.Equal(IngestOutcome.Duplicate, restored.Decide(e)));
        Assert.Equal(IngestOutcome.Accepted, restored.Decide(Placed("o-new", now, 5m)));
    }
}
