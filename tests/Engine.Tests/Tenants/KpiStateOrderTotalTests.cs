using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>The gate holds each order's total as the decimal's integer and scale, or beside the map when that does not fit: figures stay exact either way.</summary>
public sealed class KpiStateOrderTotalTests
{
    private static readonly DateTimeOffset At = Utc(2026, 6, 1, 9, 0);

    // Small and large integers, every scale a decimal has, and the integers just either side of 63 bits.
    private static readonly decimal[] Totals =
    [
        0m, 0.00m, 10.50m, 0.01m, 1_000_000_000_000m, 999_999_999_999.9999999m, 0.0000000000000000000000000001m,
        922_337_203.6854775807m, 922_337_203.6854775808m, 123_456_789.0123456789012m, 1_000_000_000_000.0000000000000000m,
    ];

    [Fact]
    public void Every_total_counts_exactly_through_edits_and_a_snapshot_and_keeps_its_scale()
    {
        var state = new KpiState(Store);
        var orders = Totals.Select((total, i) => Placed($"o{i}", At.AddMinutes(i), total)).ToArray();
        foreach (var order in orders)
        {
            state.Apply(order);
        }

        AssertGross(state, Totals);
        var snapshot = state.ToSnapshot();
        Assert.Equal(Totals.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            snapshot.Orders.OrderBy(o => o.PlacedMinute).Select(o => o.TotalPrice.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        // Each order takes the next one's total: a large total replaces a small one and back, and the old one comes out whole.
        var recovered = KpiState.FromSnapshot(Store, snapshot);
        var edited = Totals.Skip(1).Append(Totals[0]).ToArray();
        foreach (var s in new[] { state, recovered })
        {
            for (var i = 0; i < orders.Length; i++)
            {
                s.Apply(Updated(orders[i], orders[i].Version.AddMinutes(1), edited[i], eventId: $"edit-{i}"));
            }

            AssertGross(s, edited);
        }
    }

    [Fact]
    public void A_large_total_held_beside_the_map_is_forgotten_once_its_order_ages_out()
    {
        var state = new KpiState(Store);
        state.Apply(Placed("big", At, 123_456_789.0123456789012m));
        state.Apply(Placed("small", At.AddMinutes(1), 10m));
        Assert.Equal(1, state.LargeTotalCount);

        state.Apply(Placed("later", At + KpiState.BucketRetention + TimeSpan.FromMinutes(5), 10m));

        Assert.Equal(1, state.TrackedOrderCount);
        Assert.Equal(0, state.LargeTotalCount);
    }

    private static void AssertGross(KpiState state, decimal[] totals)
    {
        for (var i = 0; i < totals.Length; i++)
        {
            Assert.Equal(totals[i], state.MinuteAt(At.AddMinutes(i))!.GrossRevenue);
        }
    }
}
