using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Quarantine;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>Folding never throws: an event that cannot be counted changes nothing and says why.</summary>
public sealed class KpiStateQuarantineTests
{
    private static readonly DateTimeOffset At = Utc(2026, 6, 10, 9, 0);

    private static OrderPlaced Overflowing(string orderId) => Placed(orderId, At.AddMinutes(1), 10m) with
    {
        Lines = [new OrderLine("a", "A", 2_000_000_000, 1m), new OrderLine("b", "B", 2_000_000_000, 1m)],
    };

    [Fact]
    public void The_issue_14_order_is_refused_by_TryApply_and_Apply_neither_throws_nor_counts_it()
    {
        var state = new KpiState(Store);
        state.Apply(Placed("o1", At, 40m, units: 2));

        var problem = state.TryApply(Overflowing("o2"), out var changed);
        var applied = state.Apply(Overflowing("o3"));

        Assert.Equal("lines[0].quantity", problem?.Field);
        Assert.Empty(changed);
        Assert.Empty(applied);
        var tiles = state.Tiles(At.AddHours(1), "Europe/London", "GBP");
        Assert.Equal((40m, 1m, 2m, 1L), (tiles.GrossRevenue.Value, tiles.Orders.Value, tiles.UnitsSold.Value, tiles.EventsApplied));
        Assert.Equal(IngestOutcome.Accepted, state.Decide(Placed("o2", At, 1m)));
    }

    [Fact]
    public void Orders_that_would_overflow_a_minutes_unit_total_are_refused_and_the_rest_counted()
    {
        var state = new KpiState(Store);
        var accepted = 0L;
        GuardProblem? refused = null;
        for (var i = 0; i < 300 && refused is null; i++)
        {
            var order = Placed($"o{i}", At, 1m) with { Lines = [new OrderLine("bulk", "Bulk", 1_000_000, 0m), .. Enumerable.Repeat(new OrderLine("bulk", "Bulk", 1_000_000, 0m), 9)] };
            refused = state.TryApply(order, out _);
            if (refused is null)
            {
                accepted += 10_000_000;
            }
        }

        Assert.Equal("lines[].quantity", refused?.Field);
        var tiles = state.Tiles(At.AddHours(1), "Europe/London", "GBP");
        Assert.Equal(accepted, tiles.UnitsSold.Value);
        Assert.True(tiles.UnitsSold.Value > 0);
    }

    [Fact]
    public void Malformed_events_of_every_kind_change_nothing_and_never_throw()
    {
        var state = new KpiState(Store);
        CommerceEvent[] bad =
        [
            Placed("o1", At, 10m) with { Lines = null! },
            Placed("o2", At, 10m) with { EventId = null! },
            Placed("o3", At, -1m),
            Placed("o4", DateTimeOffset.MinValue, 10m),
            Refund("r1", "o1", At, decimal.MaxValue),
            AdSpend("c1", At, -5m),
            Session("s1", At) with { StoreTimeZone = "Mars/Olympus" },
        ];

        Assert.All(bad, e => Assert.NotNull(state.TryApply(e, out _)));
        Assert.Equal(0L, state.EventsApplied);
        Assert.Equal(0, state.BucketCount);
    }
}
