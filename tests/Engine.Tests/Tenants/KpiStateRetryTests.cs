using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>
/// A retried delivery is refused exactly in the cases where the order gate alone would not refuse it: these pin what the
/// event ids guard today, so that ids the gate covers can only be dropped where the gate refuses the same retries.
/// </summary>
public sealed class KpiStateRetryTests
{
    private static readonly DateTimeOffset Start = Utc(2026, 6, 1, 0, 0);

    [Fact]
    public void An_edit_that_moves_an_order_out_of_the_window_leaves_its_earlier_deliveries_refused()
    {
        var state = new KpiState(Store);
        var placed = Placed("o1", Start, 40m);
        var edited = Updated(placed, Start.AddMinutes(5), 45m);
        state.Apply(placed);
        state.Apply(edited);
        state.Apply(Placed("o2", Start.AddHours(1), 10m));

        // The platform corrects o1's placing to ten days earlier: out of the 9 days, so out of the gate and the figures.
        var moved = Updated(placed, Start.AddHours(2), 45m) with { PlacedAt = Start.AddDays(-10) };
        state.Apply(moved);
        Assert.Equal(1, state.TrackedOrderCount);

        var now = Start.AddHours(3);
        AssertRefused(state, now, placed, edited, moved);
    }

    [Fact]
    public void A_delivery_about_an_order_placed_over_six_days_before_it_is_refused_after_the_order_leaves_the_gate()
    {
        var state = new KpiState(Store);
        var placed = Placed("o1", Start, 40m);
        state.Apply(placed);

        // Eight days on, the order is edited: the edit's id is held 72 hours, the order only until it is 9 days old.
        var edit = Updated(placed, Start.AddDays(8), 30m);
        state.Apply(edit);
        state.Apply(Session("later", Start.AddDays(9).AddHours(1)));
        Assert.Equal(0, state.TrackedOrderCount);

        var now = Start.AddDays(9).AddHours(2);
        AssertRefused(state, now, edit);
    }

    [Fact]
    public void A_delivery_of_an_order_already_out_of_the_window_when_it_arrives_is_refused_on_retry()
    {
        var state = new KpiState(Store);
        state.Apply(Session("now", Start.AddDays(10)));
        var old = Placed("o-old", Start, 40m) with { OccurredAt = Start.AddDays(10) };
        state.Apply(old);
        Assert.Equal(0, state.TrackedOrderCount);

        AssertRefused(state, Start.AddDays(10).AddMinutes(5), old);
    }

    [Fact]
    public void An_id_an_order_delivery_used_is_refused_for_every_other_kind_of_event()
    {
        var state = new KpiState(Store);
        var placed = Placed("o1", Start, 40m, eventId: "shared-1");
        state.Apply(placed);

        var now = Start.AddMinutes(30);
        AssertRefused(state, now,
            placed,
            Session("s1", Start.AddMinutes(1)) with { EventId = "shared-1" },
            Refund("r1", "o1", Start.AddMinutes(2), 5m, eventId: "shared-1"),
            AdSpend("spring", Start.AddMinutes(3), 7m) with { EventId = "shared-1" },
            Placed("o2", Start.AddMinutes(4), 12m, eventId: "shared-1"));
    }

    [Fact]
    public void A_refund_is_refused_on_retry_under_its_own_id_and_under_another_delivery_id()
    {
        var state = new KpiState(Store);
        state.Apply(Placed("o1", Start, 40m));
        var refund = Refund("r1", "o1", Start.AddMinutes(10), 5m);
        state.Apply(refund);

        AssertRefused(state, Start.AddMinutes(20), refund, refund with { EventId = "refund-r1-redelivered" });
    }

    [Fact]
    public void Every_retry_is_still_refused_after_a_snapshot_round_trip()
    {
        var state = new KpiState(Store);
        var late = Placed("o3", Start.AddHours(3), 22m);
        var placed = Placed("o1", Start.AddDays(6).AddHours(6), 40m, eventId: "shared-1");
        var moved = Updated(placed, Start.AddDays(6).AddHours(7), 45m) with { PlacedAt = Start.AddDays(-4) };
        var lateEdit = Updated(late, Start.AddDays(8), 20m);
        var refund = Refund("r1", "o3", Start.AddDays(8).AddMinutes(1), 5m);
        var session = Session("s1", Start.AddDays(8).AddMinutes(2));
        CommerceEvent[] trade = [late, placed, moved, lateEdit, refund, session, Session("later", Start.AddDays(9).AddHours(4))];
        foreach (var e in trade)
        {
            state.Apply(e);
        }

        // o1 moved out of the window, o3 aged out of it: the gate holds neither, and every id is within its 72 hours.
        Assert.Equal(0, state.TrackedOrderCount);
        var restored = KpiState.FromSnapshot(Store, state.ToSnapshot());
        var now = Start.AddDays(9).AddHours(5);
        Assert.Equivalent(state.Tiles(now, "UTC", "GBP"), restored.Tiles(now, "UTC", "GBP"), strict: true);
        AssertRefused(restored, now, placed, moved, lateEdit, refund, session, Session("s1-again", Start.AddDays(8)) with { EventId = "shared-1" });
    }

    // Each retry is called a duplicate, changes no minute, and leaves every tile, EventsApplied among them, as it was.
    private static void AssertRefused(KpiState state, DateTimeOffset now, params CommerceEvent[] retries)
    {
        var before = state.Tiles(now, "UTC", "GBP");
        var applied = before.EventsApplied;
        foreach (var retry in retries)
        {
            Assert.Equal(IngestOutcome.Duplicate, state.Decide(retry));
            Assert.Empty(state.Apply(retry));
        }

        var after = state.Tiles(now, "UTC", "GBP");
        Assert.Equal(applied, after.EventsApplied);
        Assert.Equivalent(before, after, strict: true);
    }
}
