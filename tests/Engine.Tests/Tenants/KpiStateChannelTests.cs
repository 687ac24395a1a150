using System.Text;
using Akka.Actor;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>Per-channel minute series in the entity's state, and recovery from snapshots written before they existed.</summary>
public sealed class KpiStateChannelTests : IDisposable
{
    private static readonly DateTimeOffset At = Utc(2026, 6, 10, 9, 30, 15);
    private static readonly DateTimeOffset Minute = Utc(2026, 6, 10, 9, 30);

    private readonly ActorSystem _system = ActorSystem.Create("kpi-channel-tests");

    public void Dispose() => _system.Dispose();

    [Fact]
    public void Each_channel_keeps_its_own_minute_figures_and_an_edited_order_moves_within_its_channel()
    {
        var state = new KpiState(Store);
        state.Apply(Placed("s1", At, 40m) with { Channel = SalesChannel.Shopify });
        state.Apply(Placed("a1", At.AddSeconds(5), 25m, units: 2) with { Channel = SalesChannel.Amazon });
        state.Apply(Placed("a2", At.AddSeconds(9), 15m) with { Channel = SalesChannel.Amazon });
        state.Apply(Refund("r1", "a1", At.AddSeconds(20), 5m) with { Channel = SalesChannel.Amazon });
        state.Apply(AdSpend("fb-1", At.AddSeconds(30), 12.5m) with { Channel = SalesChannel.FacebookAds });

        // Amazon edits a2 up to 18.00: the channel's figure moves, the other channel's does not.
        state.Apply(Updated(Placed("a2", At.AddSeconds(9), 15m) with { Channel = SalesChannel.Amazon }, At.AddMinutes(2), 18m));

        Assert.Equal([SalesChannel.Shopify, SalesChannel.Amazon, SalesChannel.FacebookAds], state.Channels);
        var amazon = state.MinuteAt(Minute, SalesChannel.Amazon)!;
        Assert.Equal((43m, 2, 3, 5m), (amazon.GrossRevenue, amazon.Orders, amazon.Units, amazon.Refunds));
        var shopify = state.MinuteAt(Minute, SalesChannel.Shopify)!;
        Assert.Equal((40m, 1), (shopify.GrossRevenue, shopify.Orders));
        Assert.Equal(12.5m, state.MinuteAt(Minute, SalesChannel.FacebookAds)!.AdSpend);
        Assert.Null(state.MinuteAt(Minute, SalesChannel.WooCommerce));

        // The store-wide minute is the sum of its channels.
        var all = state.MinuteAt(Minute)!;
        Assert.Equal((83m, 3, 5m), (all.GrossRevenue, all.Orders, all.Refunds));
        Assert.Null(state.ChannelsCompleteFrom);
    }

    [Fact]
    public void Tiles_split_today_and_last_week_by_each_orders_own_channel()
    {
        var state = new KpiState(Store);
        state.Apply(Placed("s1", At, 40m) with { Channel = SalesChannel.Shopify });
        state.Apply(Placed("a1", At.AddSeconds(5), 25m, units: 2) with { Channel = SalesChannel.Amazon });
        state.Apply(Placed("a2", At.AddMinutes(3), 15m) with { Channel = SalesChannel.Amazon });
        state.Apply(Refund("r1", "a1", At.AddMinutes(4), 5m) with { Channel = SalesChannel.Amazon });
        state.Apply(Placed("w0", At.AddDays(-7), 9m) with { Channel = SalesChannel.WooCommerce });
        state.Apply(AdSpend("fb-1", At.AddSeconds(30), 12.5m) with { Channel = SalesChannel.FacebookAds });

        var tiles = state.Tiles(At.AddMinutes(10), "Europe/London", "GBP");

        // Ad spend alone is no sales channel; WooCommerce sold nothing today but did last week, so it still ranks.
        Assert.Equal(["Shopify", "WooCommerce", "Amazon"], tiles.Channels.Select(c => c.Channel));
        var amazon = tiles.Channels.Single(c => c.Channel == "Amazon");
        Assert.Equal((40m, 2m, 5m, 35m, 3m, 20m), (amazon.GrossRevenue.Value, amazon.Orders.Value, amazon.Refunds.Value,
            amazon.NetRevenue.Value, amazon.UnitsSold.Value, amazon.AverageOrderValue.Value));
        Assert.Equal(2, amazon.RevenuePerMinute.Sum(p => p.Orders));
        var woo = tiles.Channels.Single(c => c.Channel == "WooCommerce");
        Assert.Equal((0m, 9m), (woo.GrossRevenue.Value, woo.GrossRevenue.LastWeek));
        Assert.Equal(tiles.Orders.Value, tiles.Channels.Sum(c => c.Orders.Value));
    }

    [Fact]
    public void The_stores_revenue_per_minute_adds_up_its_channels_minutes_and_each_channel_keeps_its_own()
    {
        var state = new KpiState(Store);
        state.Apply(Placed("s1", At, 40m) with { Channel = SalesChannel.Shopify });
        state.Apply(Placed("a1", At.AddSeconds(5), 25.50m) with { Channel = SalesChannel.Amazon });
        state.Apply(Placed("a2", At.AddMinutes(3), 15m) with { Channel = SalesChannel.Amazon });
        state.Apply(Placed("s2", At.AddMinutes(3), 2.25m) with { Channel = SalesChannel.Shopify });
        state.Apply(Placed("s3", At.AddMinutes(-59), 7m) with { Channel = SalesChannel.Shopify });
        state.Apply(AdSpend("fb-1", At.AddMinutes(3), 12.5m) with { Channel = SalesChannel.FacebookAds });

        var now = At.AddMinutes(10);
        var tiles = state.Tiles(now, "Europe/London", "GBP");

        // The hour up to now's minute, oldest first: s3's minute is 69 minutes back, outside it.
        var window = Enumerable.Range(0, 60).Select(i => Minute.AddMinutes(10 - 59 + i)).ToArray();
        Assert.Equal(window, tiles.RevenuePerMinute.Select(p => p.Minute));
        Assert.Equal(window.Select(m => m == Minute ? (65.50m, 2) : m == Minute.AddMinutes(3) ? (17.25m, 2) : (0m, 0)),
            tiles.RevenuePerMinute.Select(p => (p.GrossRevenue, p.Orders)));
        var amazon = tiles.Channels.Single(c => c.Channel == "Amazon").RevenuePerMinute;
        Assert.Equal(window, amazon.Select(p => p.Minute));
        Assert.Equal(window.Select(m => m == Minute ? (25.50m, 1) : m == Minute.AddMinutes(3) ? (15m, 1) : (0m, 0)),
            amazon.Select(p => (p.GrossRevenue, p.Orders)));
        var shopify = tiles.Channels.Single(c => c.Channel == "Shopify").RevenuePerMinute;
        Assert.Equal(window.Select(m => m == Minute ? (40m, 1) : m == Minute.AddMinutes(3) ? (2.25m, 1) : (0m, 0)),
            shopify.Select(p => (p.GrossRevenue, p.Orders)));
    }

    [Fact]
    public void Channel_minutes_age_out_with_the_store_minutes()
    {
        var state = new KpiState(Store);
        state.Apply(Placed("a1", At, 25m) with { Channel = SalesChannel.Amazon });
        state.Apply(Placed("s1", At.AddDays(10), 40m) with { Channel = SalesChannel.Shopify });

        Assert.Null(state.MinuteAt(Minute, SalesChannel.Amazon));
        Assert.Equal(1, state.ChannelBucketCount);
        Assert.Equal([SalesChannel.Shopify], state.Channels);
    }

    [Fact]
    public void A_snapshot_keeps_the_channel_figures()
    {
        var state = new KpiState(Store);
        state.Apply(Placed("a1", At, 25m) with { Channel = SalesChannel.Amazon });
        var serializer = new SalesDashSerializer((ExtendedActorSystem)_system);
        var snapshot = state.ToSnapshot();

        var copy = (KpiSnapshot)serializer.FromBinary(serializer.ToBinary(snapshot), serializer.Manifest(snapshot));
        var recovered = KpiState.FromSnapshot(Store, copy);

        Assert.Equal(KpiSnapshot.CurrentFormat, copy.Format);
        Assert.Equal(25m, recovered.MinuteAt(Minute, SalesChannel.Amazon)!.GrossRevenue);
        Assert.Null(recovered.ChannelsCompleteFrom);

        // The recovered order still knows its channel, so an edit moves the channel's figure.
        recovered.Apply(Updated(Placed("a1", At, 25m) with { Channel = SalesChannel.Amazon }, At.AddMinutes(1), 30m));
        Assert.Equal(30m, recovered.MinuteAt(Minute, SalesChannel.Amazon)!.GrossRevenue);
    }

    [Fact]
    public void A_snapshot_written_before_channels_existed_recovers_its_figures_and_channels_start_after_it()
    {
        // Exactly what the previous release wrote under the same manifest: no format, no channel buckets, no order channel.
        var v1 = """
            {"EventsApplied":2,"Currency":"GBP","TimeZone":"Europe/London","Watermark":"2026-06-10T09:31:00+00:00",
             "Buckets":[{"Minute":"2026-06-10T09:30:00+00:00","GrossRevenue":65.0,"Refunds":0,"Orders":2,"Units":2,
                         "NewCustomerOrders":2,"ReturningCustomerOrders":0,"CancelledOrders":0,"Sessions":0,"AdSpend":0}],
             "Orders":[{"OrderId":"o1","Version":"2026-06-10T09:30:15+00:00","PlacedMinute":"2026-06-10T09:30:00+00:00",
                        "TotalPrice":40.0,"Units":1,"ReturningCustomer":false,"Cancelled":false},
                       {"OrderId":"o2","Version":"2026-06-10T09:30:40+00:00","PlacedMinute":"2026-06-10T09:30:00+00:00",
                        "TotalPrice":25.0,"Units":1,"ReturningCustomer":false,"Cancelled":false}],
             "Refunds":[],
             "SeenEvents":[{"EventId":"placed-o1","OccurredMinute":"2026-06-10T09:30:00+00:00"},
                           {"EventId":"placed-o2","OccurredMinute":"2026-06-10T09:31:00+00:00"}]}
            """;
        var serializer = new SalesDashSerializer((ExtendedActorSystem)_system);

        var snapshot = (KpiSnapshot)serializer.FromBinary(Encoding.UTF8.GetBytes(v1), "kpi-snapshot.v1");
        var state = KpiState.FromSnapshot(Store, snapshot);

        // The store-wide figures and the dedupe memory are whole.
        Assert.Equal(1, snapshot.Format);
        Assert.Equal((65m, 2), (state.MinuteAt(Minute)!.GrossRevenue, state.MinuteAt(Minute)!.Orders));
        Assert.Equal(IngestOutcome.Duplicate, IngestOutcomeOf(state, Placed("o1", At, 40m)));

        // No channel is invented for what came before; channel series start the minute after the snapshot's watermark.
        Assert.Empty(state.Channels);
        Assert.Equal(Utc(2026, 6, 10, 9, 32), state.ChannelsCompleteFrom);

        // An old order edited after the upgrade moves the store's figure and lands in its channel from then on.
        state.Apply(Updated(Placed("o2", At, 25m) with { Channel = SalesChannel.Amazon }, At.AddMinutes(5), 30m));
        state.Apply(Placed("o3", At.AddMinutes(3), 10m) with { Channel = SalesChannel.Amazon });
        Assert.Equal(70m, state.MinuteAt(Minute)!.GrossRevenue);
        Assert.Equal(30m, state.MinuteAt(Minute, SalesChannel.Amazon)!.GrossRevenue);
        Assert.Equal(10m, state.MinuteAt(Minute.AddMinutes(3), SalesChannel.Amazon)!.GrossRevenue);

        // Snapshotting again writes the new format and keeps where channel series start.
        var again = KpiState.FromSnapshot(Store, (KpiSnapshot)serializer.FromBinary(serializer.ToBinary(state.ToSnapshot()), "kpi-snapshot.v1"));
        Assert.Equal(Utc(2026, 6, 10, 9, 32), again.ChannelsCompleteFrom);
        Assert.Equal(10m, again.MinuteAt(Minute.AddMinutes(3), SalesChannel.Amazon)!.GrossRevenue);
    }

    private static IngestOutcome IngestOutcomeOf(KpiState state, CommerceEvent e) => state.Decide(e);
}
