using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

public sealed class KpiStateTests
{
    private const string London = "Europe/London";
    private const string NewYork = "America/New_York";

    private static KpiState Fold(params CommerceEvent[] events)
    {
        var state = new KpiState(Store);
        foreach (var e in events)
        {
            state.Apply(e);
        }

        return state;
    }

    [Fact]
    public void Refund_reduces_net_revenue_and_leaves_gross()
    {
        var at = Utc(2026, 6, 10, 9, 0);
        var state = Fold(Placed("o1", at, 100m), Placed("o2", at.AddMinutes(5), 50m), Refund("r1", "o1", at.AddMinutes(30), 30m));

        var tiles = state.Tiles(at.AddHours(1), London, "GBP");

        Assert.Equal(150m, tiles.GrossRevenue.Value);
        Assert.Equal(30m, tiles.Refunds.Value);
        Assert.Equal(120m, tiles.NetRevenue.Value);
        Assert.Equal(2m, tiles.Orders.Value);
    }

    [Fact]
    public void Order_update_that_changes_the_total_moves_gross()
    {
        var at = Utc(2026, 6, 10, 9, 0);
        var placed = Placed("o1", at, 100m);
        var state = Fold(placed, Updated(placed, at.AddMinutes(10), 80m));

        var tiles = state.Tiles(at.AddHours(1), London, "GBP");

        Assert.Equal(80m, tiles.GrossRevenue.Value);
        Assert.Equal(1m, tiles.Orders.Value);
        Assert.Equal(80m, state.Rows([at], "GBP").Single().GrossRevenue);
    }

    [Fact]
    public void Stale_order_update_is_a_duplicate_and_changes_nothing()
    {
        var at = Utc(2026, 6, 10, 9, 0);
        var placed = Placed("o1", at, 100m);
        var state = Fold(placed, Updated(placed, at.AddMinutes(10), 80m));
        var stale = Updated(placed, at.AddMinutes(5), 120m);
        var sameVersion = Updated(placed, at.AddMinutes(10), 999m, eventId: "other-delivery");

        Assert.Equal(IngestOutcome.Duplicate, state.Decide(stale));
        Assert.Equal(IngestOutcome.Duplicate, state.Decide(sameVersion));
        Assert.Empty(state.Apply(stale));
        Assert.Empty(state.Apply(sameVersion));

        var tiles = state.Tiles(at.AddHours(1), London, "GBP");
        Assert.Equal(80m, tiles.GrossRevenue.Value);
        Assert.Equal(2, tiles.EventsApplied);
    }

    [Fact]
    public void Duplicate_event_id_is_counted_once()
    {
        var at = Utc(2026, 6, 10, 9, 0);
        var state = new KpiState(Store);
        var session = Session("s1", at);
        var refund = Refund("r1", "o1", at, 12.5m);

        Assert.Equal(IngestOutcome.Accepted, state.Decide(refund));
        state.Apply(refund);
        state.Apply(session);
        Assert.Equal(IngestOutcome.Duplicate, state.Decide(refund));
        Assert.Equal(IngestOutcome.Duplicate, state.Decide(session));
        state.Apply(refund);
        state.Apply(session);
        // The same refund delivered again under another webhook id is still one refund.
        var sameRefundOtherDelivery = Refund("r1", "o1", at, 12.5m, eventId: "retry-with-new-id");
        Assert.Equal(IngestOutcome.Duplicate, state.Decide(sameRefundOtherDelivery));
        state.Apply(sameRefundOtherDelivery);

        var tiles = state.Tiles(at.AddMinutes(1), London, "GBP");
        Assert.Equal(12.5m, tiles.Refunds.Value);
        Assert.Equal(-12.5m, tiles.NetRevenue.Value);
        Assert.Equal(2, tiles.EventsApplied);
    }

    [Fact]
    public void Out_of_order_events_land_in_the_minute_they_were_placed()
    {
        var now = Utc(2026, 6, 10, 12, 0, 30);
        var state = Fold(
            Placed("late", now.AddMinutes(-2), 30m),
            Placed("early", now.AddMinutes(-40), 10m),
            Placed("middle", now.AddMinutes(-20), 20m));

        var perMinute = state.Tiles(now, London, "GBP").RevenuePerMinute;

        Assert.Equal(10m, perMinute.Single(p => p.Minute == Utc(2026, 6, 10, 11, 20)).GrossRevenue);
        Assert.Equal(20m, perMinute.Single(p => p.Minute == Utc(2026, 6, 10, 11, 40)).GrossRevenue);
        Assert.Equal(30m, perMinute.Single(p => p.Minute == Utc(2026, 6, 10, 11, 58)).GrossRevenue);
        Assert.Equal(60m, perMinute.Sum(p => p.GrossRevenue));
        Assert.Equal(3, perMinute.Sum(p => p.Orders));
    }

    [Fact]
    public void Cancelled_order_keeps_gross_until_the_refund_and_counts_as_cancelled()
    {
        var at = Utc(2026, 6, 10, 9, 0);
        var placed = Placed("o1", at, 100m, units: 3);
        var state = Fold(placed, Cancelled(placed, at.AddMinutes(15)));

        var row = state.Rows([at], "GBP").Single();
        Assert.Equal(1, row.CancelledOrders);
        Assert.Equal(1, row.Orders);
        Assert.Equal(100m, row.GrossRevenue);

        state.Apply(Refund("r1", "o1", at.AddMinutes(16), 100m));
        var tiles = state.Tiles(at.AddHours(1), London, "GBP");
        Assert.Equal(100m, tiles.GrossRevenue.Value);
        Assert.Equal(0m, tiles.NetRevenue.Value);
        Assert.Equal(3m, tiles.UnitsSold.Value);
    }

    [Fact]
    public void Units_are_counted_per_order_and_customers_per_person_with_guests_apart()
    {
        var at = Utc(2026, 6, 10, 9, 0);
        var state = Fold(
            Placed("o1", at, 20m, units: 2),
            Placed("o2", at.AddMinutes(1), 30m, units: 3, returning: true),
            Placed("o3", at.AddMinutes(2), 40m, units: 4, returning: true));

        var tiles = state.Tiles(at.AddHours(1), London, "GBP");

        // o1 is a guest's; o2 and o3 are the same returning customer's (see KpiStateCustomerTests for the rest).
        Assert.Equal(9m, tiles.UnitsSold.Value);
        Assert.Equal(0m, tiles.NewCustomers.Value);
        Assert.Equal(1m, tiles.ReturningCustomers.Value);
        Assert.Equal(1m, tiles.GuestOrders.Value);
    }

    [Fact]
    public void Average_order_value_is_gross_over_orders_rounded_to_cents_and_zero_without_orders()
    {
        var at = Utc(2026, 6, 10, 9, 0);
        var state = Fold(Placed("o1", at, 10m), Placed("o2", at, 10m), Placed("o3", at, 10.01m));

        var tiles = state.Tiles(at.AddHours(1), London, "GBP");

        Assert.Equal(10.00m, tiles.AverageOrderValue.Value);
        Assert.Equal(0m, tiles.AverageOrderValue.LastWeek);
        Assert.Null(tiles.AverageOrderValue.ChangeRatio);
        Assert.Equal(0m, new KpiState(Store).Tiles(at, London, "GBP").AverageOrderValue.Value);
    }

    [Fact]
    public void Revenue_per_minute_has_exactly_sixty_points_ending_at_the_current_minute()
    {
        var now = Utc(2026, 6, 10, 12, 0, 45);
        var state = Fold(Placed("o1", now.AddMinutes(-61), 5m), Placed("o2", now, 7m));

        var perMinute = state.Tiles(now, London, "GBP").RevenuePerMinute;

        Assert.Equal(60, perMinute.Count);
        Assert.Equal(Utc(2026, 6, 10, 11, 1), perMinute[0].Minute);
        Assert.Equal(Utc(2026, 6, 10, 12, 0), perMinute[^1].Minute);
        Assert.Equal(7m, perMinute[^1].GrossRevenue);
        Assert.Equal(59, perMinute.Count(p => p.GrossRevenue == 0m && p.Orders == 0));
        Assert.Equal(60, perMinute.Select(p => p.Minute).Distinct().Count());
    }

    [Fact]
    public void Order_at_half_past_eleven_local_belongs_to_the_short_spring_forward_day_in_New_York()
    {
        // 2026-03-08 in New York runs 23 hours: 00:00 EST (05:00Z) to 24:00 EDT (04:00Z next day).
        var state = Fold(
            Placed("before-midnight", Utc(2026, 3, 8, 4, 50), 1m, zone: NewYork),
            Placed("just-after-midnight", Utc(2026, 3, 8, 5, 10), 10m, zone: NewYork),
            Placed("half-past-eleven", Utc(2026, 3, 9, 3, 30), 100m, zone: NewYork));

        var tiles = state.Tiles(Utc(2026, 3, 9, 3, 45), NewYork, "USD");

        Assert.Equal("2026-03-08", tiles.LocalDate);
        Assert.Equal(110m, tiles.GrossRevenue.Value);
        Assert.Equal(2m, tiles.Orders.Value);
        Assert.Equal("USD", tiles.Currency);
        Assert.Equal(NewYork, tiles.TimeZone);
    }

    [Fact]
    public void Order_at_half_past_eleven_local_belongs_to_the_spring_forward_day_in_London()
    {
        // 2026-03-29 in London: 00:00 GMT (00:00Z) to 24:00 BST (23:00Z).
        var state = Fold(
            Placed("previous-day", Utc(2026, 3, 28, 23, 30), 1m),
            Placed("half-past-eleven", Utc(2026, 3, 29, 22, 30), 100m),
            Placed("next-day", Utc(2026, 3, 29, 23, 10), 1000m));

        var lateEvening = state.Tiles(Utc(2026, 3, 29, 22, 45), London, "GBP");
        var afterMidnight = state.Tiles(Utc(2026, 3, 29, 23, 15), London, "GBP");

        Assert.Equal("2026-03-29", lateEvening.LocalDate);
        Assert.Equal(100m, lateEvening.GrossRevenue.Value);
        Assert.Equal("2026-03-30", afterMidnight.LocalDate);
        Assert.Equal(1000m, afterMidnight.GrossRevenue.Value);
    }

    [Fact]
    public void Order_at_half_past_eleven_local_belongs_to_the_long_fall_back_day_in_New_York()
    {
        // 2026-11-01 in New York runs 25 hours: 00:00 EDT (04:00Z) to 24:00 EST (05:00Z next day).
        var state = Fold(
            Placed("previous-day", Utc(2026, 11, 1, 3, 55), 1m, zone: NewYork),
            Placed("first-minutes", Utc(2026, 11, 1, 4, 5), 10m, zone: NewYork),
            Placed("repeated-hour-first-pass", Utc(2026, 11, 1, 5, 30), 20m, zone: NewYork),
            Placed("repeated-hour-second-pass", Utc(2026, 11, 1, 6, 30), 30m, zone: NewYork),
            Placed("half-past-eleven", Utc(2026, 11, 2, 4, 30), 100m, zone: NewYork));

        var tiles = state.Tiles(Utc(2026, 11, 2, 4, 45), NewYork, "USD");

        Assert.Equal("2026-11-01", tiles.LocalDate);
        Assert.Equal(160m, tiles.GrossRevenue.Value);
        Assert.Equal(4m, tiles.Orders.Value);
    }

    [Fact]
    public void Last_week_is_compared_by_local_wall_clock_across_the_New_York_DST_change()
    {
        // Now: Monday 2026-03-09 10:00 EDT (14:00Z). Last week: Monday 2026-03-02 00:00-10:00 EST (05:00Z-15:00Z).
        // A plain "now minus 7 days" would stop at 09:00 EST and miss the 09:30 order.
        var state = Fold(
            Placed("lw-previous-day", Utc(2026, 3, 2, 4, 30), 1m, zone: NewYork),
            Placed("lw-early", Utc(2026, 3, 2, 5, 30), 20m, zone: NewYork),
            Placed("lw-half-past-nine", Utc(2026, 3, 2, 14, 30), 40m, zone: NewYork),
            Placed("lw-half-past-ten", Utc(2026, 3, 2, 15, 30), 1000m, zone: NewYork),
            Placed("today", Utc(2026, 3, 9, 13, 0), 90m, zone: NewYork));

        var tiles = state.Tiles(Utc(2026, 3, 9, 14, 0), NewYork, "USD");

        Assert.Equal(90m, tiles.GrossRevenue.Value);
        Assert.Equal(60m, tiles.GrossRevenue.LastWeek);
        Assert.Equal(2m, tiles.Orders.LastWeek);
        Assert.Equal(30m, tiles.AverageOrderValue.LastWeek);
        Assert.Equal(0.5m, tiles.GrossRevenue.ChangeRatio);
    }

    [Fact]
    public void Last_week_is_compared_by_local_wall_clock_across_the_London_DST_change()
    {
        // Now: 2026-03-30 12:00 BST (11:00Z). Last week: 2026-03-23 00:00-12:00 GMT (00:00Z-12:00Z).
        var state = Fold(
            Placed("lw-half-past-eleven", Utc(2026, 3, 23, 11, 30), 40m),
            Placed("lw-half-past-twelve", Utc(2026, 3, 23, 12, 30), 1000m),
            Placed("today", Utc(2026, 3, 30, 10, 0), 10m));

        var tiles = state.Tiles(Utc(2026, 3, 30, 11, 0), London, "GBP");

        Assert.Equal(10m, tiles.GrossRevenue.Value);
        Assert.Equal(40m, tiles.GrossRevenue.LastWeek);
    }

    [Fact]
    public void Last_week_of_a_25_hour_day_counts_both_passes_of_the_repeated_hour()
    {
        // Now: 2026-11-08 10:00 EST (15:00Z). Last week: 2026-11-01 00:00 EDT (04:00Z) to 10:00 EST (15:00Z).
        var state = Fold(
            Placed("lw-first-pass", Utc(2026, 11, 1, 5, 30), 20m, zone: NewYork),
            Placed("lw-second-pass", Utc(2026, 11, 1, 6, 30), 30m, zone: NewYork),
            Placed("lw-quarter-to-ten", Utc(2026, 11, 1, 14, 45), 40m, zone: NewYork),
            Placed("lw-quarter-past-ten", Utc(2026, 11, 1, 15, 15), 1000m, zone: NewYork));

        var tiles = state.Tiles(Utc(2026, 11, 8, 15, 0), NewYork, "USD");

        Assert.Equal(90m, tiles.GrossRevenue.LastWeek);
        Assert.Equal(0m, tiles.GrossRevenue.Value);
    }

    [Fact]
    public void Unknown_time_zone_falls_back_to_utc_days_and_says_so()
    {
        var state = Fold(Placed("o1", Utc(2026, 6, 10, 23, 30), 10m));

        var tiles = state.Tiles(Utc(2026, 6, 10, 23, 45), "Mars/Olympus_Mons", "GBP");

        Assert.Equal("UTC", tiles.TimeZone);
        Assert.Equal("2026-06-10", tiles.LocalDate);
        Assert.Equal(10m, tiles.GrossRevenue.Value);
    }

    [Fact]
    public void Pruning_keeps_memory_bounded_and_last_week_intact()
    {
        var state = new KpiState(Store);
        var start = Utc(2026, 5, 1, 0, 0);
        var steps = 20 * 24 * 6; // 20 days, one order and one session every 10 minutes
        for (var i = 0; i < steps; i++)
        {
            var at = start.AddMinutes(10 * i);
            state.Apply(Placed($"o{i}", at, 1m));
            state.Apply(Session($"s{i}", at.AddMinutes(5)));
        }

        var now = start.AddMinutes(10 * (steps - 1) + 6);
        var tiles = state.Tiles(now, "UTC", "GBP");

        Assert.InRange(state.BucketCount, 2 * 9 * 24 * 6 - 2, 2 * 9 * 24 * 6 + 2);
        Assert.InRange(state.TrackedOrderCount, 9 * 24 * 6 - 1, 9 * 24 * 6 + 1);
        Assert.InRange(state.RememberedEventIdCount, 2 * 72 * 6 - 2, 2 * 72 * 6 + 2);
        Assert.Equal(144m, tiles.Orders.Value);
        Assert.Equal(144m, tiles.Orders.LastWeek);
        Assert.Equal(2 * steps, tiles.EventsApplied);
    }

    [Fact]
    public void Changed_minutes_give_absolute_rows_for_the_snapshot_store()
    {
        var at = Utc(2026, 6, 10, 9, 0, 20);
        var state = new KpiState(Store);
        state.Apply(Placed("o1", at, 10m, units: 2));
        var changed = state.Apply(Placed("o2", at.AddSeconds(10), 15m, units: 1, returning: true));

        var row = Assert.Single(state.Rows(changed, "GBP"));

        Assert.Equal(new MinuteKpiRow("acme", "eu-shop", Utc(2026, 6, 10, 9, 0), "GBP", 25m, 0m, 2, 3, 1, 1, 0), row);
    }

    [Fact]
    public void Snapshot_restores_identical_figures_and_dedupe_memory()
    {
        var at = Utc(2026, 6, 10, 9, 0);
        var placed = Placed("o1", at, 100m, units: 2);
        var state = Fold(
            placed,
            Updated(placed, at.AddMinutes(3), 90m),
            Placed("o2", at.AddMinutes(1), 50m, returning: true),
            Refund("r1", "o2", at.AddMinutes(20), 5m),
            Session("s1", at),
            AdSpend("c1", at, 3.5m),
            Placed("lw", at.AddDays(-7), 70m));

        var restored = KpiState.FromSnapshot(Store, state.ToSnapshot());
        var now = at.AddMinutes(30);

        Assert.Equivalent(state.Tiles(now, London, "GBP"), restored.Tiles(now, London, "GBP"), strict: true);
        Assert.Equal(IngestOutcome.Duplicate, restored.Decide(Updated(placed, at.AddMinutes(2), 1m)));
        Assert.Equal(IngestOutcome.Duplicate, restored.Decide(Refund("r1", "o2", at.AddMinutes(20), 5m, eventId: "again")));
        Assert.Equal(IngestOutcome.Duplicate, restored.Decide(Session("s1", at)));
        Assert.Equal("GBP", restored.Currency);
        Assert.Equal(London, restored.TimeZone);
        Assert.Equal(state.ToSnapshot().Buckets, restored.ToSnapshot().Buckets);
    }
}
