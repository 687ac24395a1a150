using Akka.Actor;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>
/// A store-wide minute is held once, as the sum of its channels' minutes (and of the minutes whose channel is unknown,
/// folded before channels existed); these tests hold its figures to an oracle and to what older snapshots held.
/// </summary>
public sealed class KpiStateStoreMinuteTests : IDisposable
{
    private static readonly DateTimeOffset Start = Utc(2026, 6, 10, 8, 0);
    private static readonly SalesChannel[] Sellers = [SalesChannel.Shopify, SalesChannel.Amazon, SalesChannel.WooCommerce];

    private readonly ActorSystem _system = ActorSystem.Create("kpi-store-minute-tests");

    public void Dispose() => _system.Dispose();

    [Fact]
    public void Store_wide_minutes_and_tiles_equal_an_oracle_over_orders_that_move_between_minutes_and_channels()
    {
        var random = new Random(20261206);
        var serializer = new SalesDashSerializer((ExtendedActorSystem)_system);
        var state = new KpiState(Store);
        var orders = new Dictionary<string, OrderEvent>();
        var refunds = new List<RefundIssued>();
        var sessions = new List<SessionStarted>();
        var spend = new List<AdSpendRecorded>();
        var version = Start.AddDays(-1);

        for (var step = 0; step < 3_000; step++)
        {
            var at = Start.AddSeconds(random.Next(3 * 3600));
            version = version.AddSeconds(1);
            switch (random.Next(10))
            {
                case < 4:
                    var placed = Placed($"o{step}", at, random.Next(1, 20_000) / 100m, units: random.Next(1, 4), returning: random.Next(3) == 0)
                        with { Channel = Sellers[random.Next(Sellers.Length)] };
                    orders[placed.OrderId] = placed;
                    state.Apply(placed);
                    break;
                case < 7 when orders.Count > 0:
                    // An edit: a new total, and sometimes a new minute or channel (a re-attributed or re-dated order).
                    var held = orders.Values.ElementAt(random.Next(orders.Count));
                    var edited = Updated(held, Start.AddHours(4).Add(version - Start.AddDays(-1)), random.Next(1, 20_000) / 100m) with
                    {
                        PlacedAt = random.Next(2) == 0 ? at : held.PlacedAt,
                        Channel = random.Next(3) == 0 ? Sellers[random.Next(Sellers.Length)] : held.Channel,
                    };
                    orders[held.OrderId] = edited;
                    state.Apply(edited);
                    break;
                case 7:
                    var refund = Refund($"r{step}", "any", at, random.Next(1, 5_000) / 100m) with { Channel = Sellers[random.Next(Sellers.Length)] };
                    refunds.Add(refund);
                    state.Apply(refund);
                    break;
                case 8:
                    var session = Session($"s{step}", at);
                    sessions.Add(session);
                    state.Apply(session);
                    break;
                default:
                    var cost = AdSpend($"c{step}", at, random.Next(1, 9_000) / 100m);
                    spend.Add(cost);
                    state.Apply(cost);
                    break;
            }

            if (step % 700 == 699)
            {
                // Recovery from a snapshot in the middle changes nothing.
                var snapshot = state.ToSnapshot();
                state = KpiState.FromSnapshot(Store, (KpiSnapshot)serializer.FromBinary(serializer.ToBinary(snapshot), serializer.Manifest(snapshot)));
            }
        }

        static DateTimeOffset MinuteOf(DateTimeOffset at) => DateTimeOffset.FromUnixTimeSeconds(at.ToUnixTimeSeconds() / 60 * 60);

        for (var minute = Start; minute < Start.AddHours(3); minute = minute.AddMinutes(1))
        {
            var placedHere = orders.Values.Where(o => MinuteOf(o.PlacedAt) == minute).ToArray();
            var expected = (
                Gross: placedHere.Sum(o => o.TotalPrice),
                Orders: placedHere.Length,
                Units: placedHere.Sum(o => o.Lines.Sum(l => l.Quantity)),
                Returning: placedHere.Count(o => o.ReturningCustomer),
                Refunds: refunds.Where(r => MinuteOf(r.OccurredAt) == minute).Sum(r => r.Amount),
                Sessions: sessions.Count(s => MinuteOf(s.OccurredAt) == minute),
                AdSpend: spend.Where(s => MinuteOf(s.OccurredAt) == minute).Sum(s => s.Spend));
            var held = state.MinuteAt(minute);
            var actual = held is null
                ? (0m, 0, 0, 0, 0m, 0, 0m)
                : (held.GrossRevenue, held.Orders, held.Units, held.ReturningCustomerOrders, held.Refunds, held.Sessions, held.AdSpend);
            Assert.Equal(expected, actual);

            foreach (var channel in Sellers)
            {
                var inChannel = placedHere.Where(o => o.Channel == channel).ToArray();
                Assert.Equal(inChannel.Sum(o => o.TotalPrice), state.MinuteAt(minute, channel)?.GrossRevenue ?? 0m);
            }
        }

        var tiles = state.Tiles(Start.AddHours(3), "UTC", "GBP");
        Assert.Equal(orders.Values.Sum(o => o.TotalPrice), tiles.GrossRevenue.Value);
        Assert.Equal(orders.Count, tiles.Orders.Value);
        Assert.Equal(refunds.Sum(r => r.Amount), tiles.Refunds.Value);
        Assert.Equal(tiles.GrossRevenue.Value, tiles.Channels.Sum(c => c.GrossRevenue.Value));
        Assert.Equal(
            orders.Values.Where(o => o.PlacedAt >= Start.AddHours(2).AddMinutes(1)).Sum(o => o.TotalPrice),
            tiles.RevenuePerMinute.Sum(p => p.GrossRevenue));
    }

    [Fact]
    public void A_format_two_snapshot_keeps_what_no_channel_accounts_for_and_the_next_snapshot_holds_only_that()
    {
        var minute = Utc(2026, 6, 10, 9, 30);
        var legacy = new OrderSnapshot("o0", minute, minute, 10m, 1, false, false, Channel: null);
        var shopify = new OrderSnapshot("s1", minute.AddSeconds(5), minute, 40m, 1, false, false, SalesChannel.Shopify);
        var amazon = new OrderSnapshot("a1", minute.AddSeconds(9), minute, 25m, 2, true, false, SalesChannel.Amazon);

        // Format 2: every minute store-wide beside its channels. 09:30 holds o0 and two sessions from before channels
        // existed; 09:31 only a session that a channel holds too.
        var v2 = new KpiSnapshot(4, "GBP", "UTC", minute.AddMinutes(1),
            Buckets:
            [
                new MinuteBucketSnapshot(minute, 75m, 5m, 3, 4, 2, 1, 0, 2, 0m),
                new MinuteBucketSnapshot(minute.AddMinutes(1), 0m, 0m, 0, 0, 0, 0, 0, 1, 0m),
            ],
            Orders: [legacy, shopify, amazon],
            Refunds: [new RefundSnapshot("r1", minute)],
            SeenEvents: [],
            Format: 2,
            ChannelBuckets:
            [
                new ChannelMinuteSnapshot(SalesChannel.Shopify, minute, 40m, 0m, 1, 1, 1, 0, 0, 0, 0m),
                new ChannelMinuteSnapshot(SalesChannel.Amazon, minute, 25m, 5m, 1, 2, 0, 1, 0, 0, 0m),
                new ChannelMinuteSnapshot(SalesChannel.GoogleAnalytics, minute.AddMinutes(1), 0m, 0m, 0, 0, 0, 0, 0, 1, 0m),
            ],
            ChannelsCompleteFrom: minute);

        var state = KpiState.FromSnapshot(Store, v2);

        var all = state.MinuteAt(minute)!;
        Assert.Equal((75m, 5m, 3, 4, 2, 1, 2), (all.GrossRevenue, all.Refunds, all.Orders, all.Units, all.NewCustomerOrders, all.ReturningCustomerOrders, all.Sessions));
        Assert.Equal(1, state.MinuteAt(minute.AddMinutes(1))!.Sessions);
        Assert.Equal(25m, state.MinuteAt(minute, SalesChannel.Amazon)!.GrossRevenue);
        Assert.Equal(2, state.BucketCount);

        // The new format keeps only the minute of unknown channel, and what it holds is the part no channel had.
        var v3 = state.ToSnapshot();
        Assert.Equal(KpiSnapshot.CurrentFormat, v3.Format);
        var unknown = Assert.Single(v3.Buckets);
        Assert.Equal((minute, 10m, 0m, 1, 1, 1, 0, 2), (unknown.Minute, unknown.GrossRevenue, unknown.Refunds, unknown.Orders, unknown.Units,
            unknown.NewCustomerOrders, unknown.ReturningCustomerOrders, unknown.Sessions));

        // Recovered again from the new format: the same figures; an edit of the old order moves it into its channel.
        var again = KpiState.FromSnapshot(Store, v3);
        Assert.Equal(all, again.MinuteAt(minute));
        again.Apply(Updated(Placed("o0", minute, 10m), minute.AddMinutes(5), 12m));
        Assert.Equal(77m, again.MinuteAt(minute)!.GrossRevenue);
        Assert.Equal(52m, again.MinuteAt(minute, SalesChannel.Shopify)!.GrossRevenue);
        Assert.Equal(12m, again.Tiles(minute.AddMinutes(6), "UTC", "GBP").Channels.Single(c => c.Channel == "Shopify").GrossRevenue.Value - 40m);
    }
}
