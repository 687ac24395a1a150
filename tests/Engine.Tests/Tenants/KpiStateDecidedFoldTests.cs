using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Quarantine;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>
/// Kafka mode's fold (<see cref="KpiState.TryApplyDecided"/>: checked and decided by the caller) against
/// <see cref="KpiState.TryApply"/>: the same figures, the same changed minutes, and the minute's overflow still refused.
/// </summary>
public sealed class KpiStateDecidedFoldTests
{
    private static readonly DateTimeOffset At = Utc(2026, 6, 10, 9, 0);

    [Fact]
    public void A_decided_fold_gives_the_figures_and_changed_minutes_that_TryApply_gives()
    {
        var placed = Placed("o1", At, 40m, units: 2);
        // An update that moves the order to another minute changes two minutes: the old one loses it, the new one gains it.
        var moved = Updated(placed, At.AddMinutes(5), 55m) with { PlacedAt = At.AddMinutes(3) };
        var events = new CommerceEvent[] { placed, Placed("o2", At.AddMinutes(1), 10m, returning: true), moved };

        var byTryApply = new KpiState(Store);
        var applied = new List<DateTimeOffset[]>();
        foreach (var e in events)
        {
            Assert.Null(byTryApply.TryApply(e, out var changed));
            applied.Add([.. changed.Order()]);
        }

        var decided = new KpiState(Store);
        var folded = new List<DateTimeOffset[]>();
        foreach (var e in events)
        {
            var minutes = new HashSet<DateTimeOffset>();
            Assert.Equal(IngestOutcome.Accepted, decided.Decide(e));
            Assert.Null(decided.TryApplyDecided(e, minutes));
            folded.Add([.. minutes.Order()]);
        }

        Assert.Equal(applied, folded);
        Assert.Equal(2, folded[2].Length);
        var now = At.AddHours(1);
        Assert.Equal(Figures(byTryApply.Tiles(now, "Europe/London", "GBP")), Figures(decided.Tiles(now, "Europe/London", "GBP")));
        Assert.Equal((65m, 2m, 3L), Figures(decided.Tiles(now, "Europe/London", "GBP")));
    }

    [Fact]
    public void A_decided_fold_still_refuses_an_order_that_would_overflow_its_minutes_units_and_changes_nothing()
    {
        var state = new KpiState(Store);
        var minutes = new HashSet<DateTimeOffset>();
        var accepted = 0;
        GuardProblem? refused = null;
        for (var i = 0; i < 300 && refused is null; i++)
        {
            // Each order passes the guard's shape check (its caller's part); 215 of them fill the minute's int of units.
            var order = Placed($"o{i}", At, 1m) with { Lines = [.. Enumerable.Repeat(new OrderLine("bulk", "Bulk", 1_000_000, 0m), 10)] };
            Assert.Null(CommerceEventGuard.CheckShape(order));
            refused = state.TryApplyDecided(order, minutes);
            accepted += refused is null ? 1 : 0;
        }

        Assert.Equal("lines[].quantity", refused?.Field);
        Assert.Equal(214, accepted);
        Assert.Equal([At], minutes);
        Assert.Equal((214m, 214m, 214L), Figures(state.Tiles(At.AddHours(1), "Europe/London", "GBP")));
    }

    private static (decimal Gross, decimal Orders, long Events) Figures(DashboardTiles tiles) =>
        (tiles.GrossRevenue.Value, tiles.Orders.Value, tiles.EventsApplied);
}
