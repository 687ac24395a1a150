using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>Shipment and traffic events pass through the tenant entity's dedupe like every event, and move no money on the tiles.</summary>
public sealed class ChannelActivityEventTests
{
    private static readonly DateTimeOffset At = Utc(2026, 11, 25, 10, 0);

    [Fact]
    public void A_redelivered_tracking_event_is_a_duplicate_and_tracking_moves_no_money()
    {
        var state = new KpiState(Store);
        state.Apply(Placed("o1", At.AddMinutes(-30), 40m));
        var before = state.Tiles(At.AddMinutes(5), "Europe/London", "GBP");
        var shipment = Shipment("easypost:evt_9", "1Z9", "in_transit", At);

        Assert.Equal(IngestOutcome.Accepted, state.Decide(shipment));
        state.Apply(shipment);
        Assert.Equal(IngestOutcome.Duplicate, state.Decide(shipment));
        Assert.Equal(IngestOutcome.Accepted, state.Decide(Shipment("easypost:evt_10", "1Z9", "delivered", At.AddHours(1))));

        var after = state.Tiles(At.AddMinutes(5), "Europe/London", "GBP");
        Assert.Equal((before.GrossRevenue.Value, before.Orders.Value), (after.GrossRevenue.Value, after.Orders.Value));
    }

    [Fact]
    public void The_same_traffic_reading_twice_is_a_duplicate_and_a_revised_one_is_new()
    {
        var state = new KpiState(Store);
        var reading = Traffic(new DateOnly(2026, 11, 24), "google", 40, At);
        state.Apply(reading);

        Assert.Equal(IngestOutcome.Duplicate, state.Decide(reading));
        Assert.Equal(IngestOutcome.Accepted, state.Decide(Traffic(new DateOnly(2026, 11, 24), "google", 41, At.AddHours(1))));
        Assert.Equal(0m, state.Tiles(At, "Europe/London", "GBP").GrossRevenue.Value);
    }
}
