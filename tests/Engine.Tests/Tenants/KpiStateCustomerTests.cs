using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>The live customer tiles count people, not orders: distinct buyers today (store-local day), new or returning, and guest orders.</summary>
public sealed class KpiStateCustomerTests : IDisposable
{
    // New York left summer time on 1 November 2026, so today and the same day last week have different UTC offsets.
    private const string Zone = "America/New_York";
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById(Zone);

    // 00:20 on 3 November in New York: 20 minutes into the day, so the orders around midnight decide the figures.
    private static readonly DateTimeOffset End = Utc(2026, 11, 3, 5, 20);

    private static readonly Counted Zero = new(0m, 0m, 0m, 0m, 0m, 0m);

    private static readonly SalesChannel[] Channels = [SalesChannel.Shopify, SalesChannel.Amazon, SalesChannel.WooCommerce];

    private readonly ActorSystem _system = ActorSystem.Create("kpi-customer-tests");

    public void Dispose() => _system.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Customer_tiles_equal_an_oracle_over_random_orders_edits_and_cancellations_through_a_snapshot(int seed)
    {
        var events = RandomTrade(seed, out var cut);
        var straight = new KpiState(Store);
        foreach (var e in events)
        {
            straight.Apply(e);
        }

        // The same events with a snapshot taken, serialised and recovered part way through.
        var first = new KpiState(Store);
        foreach (var e in events.Take(cut))
        {
            first.Apply(e);
        }

        var recovered = KpiState.FromSnapshot(Store, RoundTrip(first.ToSnapshot()));
        foreach (var e in events.Skip(cut))
        {
            recovered.Apply(e);
        }

        // Now, then an hour earlier (yesterday, local), then early yesterday morning.
        foreach (var now in new[] { End, End.AddHours(-1), End.AddHours(-20) })
        {
            var expected = Oracle(events, now, _ => true);
            foreach (var state in new[] { straight, recovered })
            {
                var tiles = state.Tiles(now, Zone, "USD");
                Assert.Equal(expected.Store, Figures(tiles));
                Assert.Null(tiles.CustomersCountedFrom);
                foreach (var channel in Channels)
                {
                    var actual = tiles.Channels.SingleOrDefault(c => c.Channel == channel.ToString());
                    Assert.Equal(expected.Channels.GetValueOrDefault(channel) ?? Zero, actual is null ? Zero : Figures(actual));
                }
            }

        }

        // The figures are people, not orders: worth checking the generator made them differ over a whole day.
        var day = Oracle(events, End.AddHours(-1), _ => true);
        Assert.True(day.Store.New + day.Store.Returning < day.OrdersToday, $"{day.Store} from {day.OrdersToday} orders");
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void A_state_recovered_from_a_snapshot_older_than_customers_counts_the_buyers_of_what_it_folds_next_and_says_from_when(int seed)
    {
        var events = RandomTrade(seed, out var cut);
        var state = new KpiState(Store);
        foreach (var e in events.Take(cut))
        {
            state.Apply(e);
        }

        // What format 3 wrote: no buyers.
        var old = state.ToSnapshot() with { Format = 3, Purchases = null, CustomersCompleteFrom = null };
        var recovered = KpiState.FromSnapshot(Store, RoundTrip(old));
        foreach (var e in events.Skip(cut))
        {
            recovered.Apply(e);
        }

        // An order's buyer is known when the version it stands at was folded after the snapshot.
        var latest = events.OfType<OrderEvent>().GroupBy(o => o.OrderId).Select(g => g.MaxBy(o => o.Version)!).ToArray();
        var heldAfter = latest.Where(o => events.FindIndex(e => e is OrderEvent x && x.OrderId == o.OrderId && x.Version == o.Version) >= cut)
            .Select(o => o.OrderId).ToHashSet();
        var expected = Oracle(events, End, o => heldAfter.Contains(o.OrderId));
        var tiles = recovered.Tiles(End, Zone, "USD");

        Assert.Equal(expected.Store, Figures(tiles));
        var watermark = events.Take(cut).Max(e => e.OccurredAt);
        Assert.Equal(Floor(watermark).AddMinutes(1), tiles.CustomersCountedFrom);

        // Once last week's same day starts after that minute, both figures are whole again and the tiles say nothing.
        Assert.NotNull(recovered.Tiles(watermark.AddDays(7), Zone, "USD").CustomersCountedFrom);
        Assert.Null(recovered.Tiles(watermark.AddDays(8).AddHours(1), Zone, "USD").CustomersCountedFrom);
        Assert.Null(KpiState.FromSnapshot(Store, RoundTrip(recovered.ToSnapshot())).Tiles(watermark.AddDays(8).AddHours(1), Zone, "USD").CustomersCountedFrom);
    }

    [Fact]
    public void A_customer_whose_only_order_today_was_cancelled_is_not_a_customer_today_but_one_with_another_order_is()
    {
        var at = Utc(2026, 6, 10, 9, 0);
        var a1 = Buyer(Placed("a1", at, 20m), "ann", returning: true);
        var a2 = Buyer(Placed("a2", at.AddMinutes(5), 30m), "ann", returning: true);
        var b1 = Buyer(Placed("b1", at.AddMinutes(6), 40m), "bob", returning: false);
        var state = new KpiState(Store);
        foreach (var e in new CommerceEvent[] { a1, a2, b1, Cancelled(a1, at.AddMinutes(30)), Cancelled(b1, at.AddMinutes(31)) })
        {
            state.Apply(e);
        }

        var tiles = state.Tiles(at.AddHours(1), "Europe/London", "GBP");

        // Ann still bought a2; Bob's only order was cancelled, so he bought nothing today. The orders tile still counts the
        // cancelled orders (their money comes back through refunds), the customer tiles do not.
        Assert.Equal((0m, 1m, 0m), (tiles.NewCustomers.Value, tiles.ReturningCustomers.Value, tiles.GuestOrders.Value));
        Assert.Equal(3m, tiles.Orders.Value);
    }

    [Fact]
    public void An_edit_that_names_the_guest_or_moves_the_order_to_another_day_moves_its_buyer()
    {
        var at = Utc(2026, 6, 10, 23, 10); // 00:10 on 11 June in London
        var guest = Placed("g1", at, 20m);
        var state = new KpiState(Store);
        state.Apply(guest);
        var before = state.Tiles(at.AddMinutes(30), "Europe/London", "GBP");
        Assert.Equal((0m, 0m, 1m), (before.NewCustomers.Value, before.ReturningCustomers.Value, before.GuestOrders.Value));

        // The platform later links the order to an account: the guest order becomes a new customer.
        state.Apply(Buyer(Updated(guest, at.AddMinutes(5), 20m), "cara", returning: false));
        var named = state.Tiles(at.AddMinutes(30), "Europe/London", "GBP");
        Assert.Equal((1m, 0m, 0m), (named.NewCustomers.Value, named.ReturningCustomers.Value, named.GuestOrders.Value));

        // An edit moves it back before local midnight: today has no customer, yesterday has her.
        state.Apply(Buyer(Updated(guest, at.AddMinutes(6), 20m), "cara", returning: false) with { PlacedAt = at.AddMinutes(-20) });
        var moved = state.Tiles(at.AddMinutes(30), "Europe/London", "GBP");
        Assert.Equal((0m, 0m, 0m), (moved.NewCustomers.Value, moved.ReturningCustomers.Value, moved.GuestOrders.Value));
        Assert.Equal(1m, state.Tiles(at.AddMinutes(-15), "Europe/London", "GBP").NewCustomers.Value);
    }

    [Fact]
    public void An_email_only_buyer_and_the_same_address_given_as_an_id_are_one_customer_and_ids_are_kept_apart_by_channel()
    {
        var at = Utc(2026, 6, 10, 9, 0);
        var state = new KpiState(Store);
        state.Apply(Placed("e1", at, 10m) with { CustomerEmailHash = Sha("dee@example.com") });
        state.Apply(Placed("e2", at.AddMinutes(1), 10m) with { CustomerId = " Dee@Example.com", ReturningCustomer = true });
        state.Apply(Buyer(Placed("s1", at.AddMinutes(2), 10m), "42", returning: true));
        state.Apply(Buyer(Placed("m1", at.AddMinutes(3), 10m), "42", returning: true) with { Channel = SalesChannel.Amazon });

        var tiles = state.Tiles(at.AddHours(1), "Europe/London", "GBP");

        // Dee: first order today (new); Shopify's customer 42 and Amazon's customer 42 are two people.
        Assert.Equal((1m, 2m, 0m), (tiles.NewCustomers.Value, tiles.ReturningCustomers.Value, tiles.GuestOrders.Value));
        var amazon = tiles.Channels.Single(c => c.Channel == "Amazon");
        Assert.Equal((0m, 1m), (amazon.NewCustomers.Value, amazon.ReturningCustomers.Value));
    }

    [Fact]
    public void Buyers_are_forgotten_with_the_minute_buckets()
    {
        var at = Utc(2026, 6, 1, 9, 0);
        var state = new KpiState(Store);
        for (var i = 0; i < 20; i++)
        {
            state.Apply(Buyer(Placed($"o{i}", at.AddHours(i * 12), 10m), $"c{i % 3}", returning: false));
        }

        // 20 orders twelve hours apart span 9.5 days: those more than 9 days before the newest are gone.
        Assert.Equal(state.TrackedOrderCount, state.HeldPurchaseCount);
        Assert.Equal(19, state.HeldPurchaseCount);
    }

    private KpiSnapshot RoundTrip(KpiSnapshot snapshot)
    {
        var serializer = new SalesDashSerializer((ExtendedActorSystem)_system);
        return (KpiSnapshot)serializer.FromBinary(serializer.ToBinary(snapshot), serializer.Manifest(snapshot));
    }

    private static T Buyer<T>(T order, string id, bool returning)
        where T : OrderEvent => order with { CustomerId = id, ReturningCustomer = returning };

    private static Counted Figures(DashboardTiles t) => new(t.NewCustomers.Value, t.ReturningCustomers.Value, t.GuestOrders.Value,
        t.NewCustomers.LastWeek, t.ReturningCustomers.LastWeek, t.GuestOrders.LastWeek);

    private static Counted Figures(ChannelTiles t) => new(t.NewCustomers.Value, t.ReturningCustomers.Value, t.GuestOrders.Value,
        t.NewCustomers.LastWeek, t.ReturningCustomers.LastWeek, t.GuestOrders.LastWeek);

    /// <summary>
    /// What the tiles must say, from the events alone: each order at its newest version, cancelled ones left out, its
    /// minute within today (store-local, up to now) or last week's same day up to the same local time; a buyer is their
    /// channel's id, else their hashed e-mail (an id that is an address is that address), else a guest.
    /// </summary>
    private static Expected Oracle(IReadOnlyList<CommerceEvent> events, DateTimeOffset now, Func<OrderEvent, bool> held)
    {
        var local = TimeZoneInfo.ConvertTime(now, NewYork).DateTime;
        var todayFrom = Floor(TimeZoneInfo.ConvertTimeToUtc(local.Date, NewYork));
        var lastWeekFrom = Floor(TimeZoneInfo.ConvertTimeToUtc(local.Date.AddDays(-7), NewYork));
        var lastWeekTo = Floor(TimeZoneInfo.ConvertTimeToUtc(local.AddDays(-7), NewYork));
        var standing = events.OfType<OrderEvent>().GroupBy(o => o.OrderId).Select(g => g.MaxBy(o => o.Version)!)
            .Where(o => o.CancelledAt is null && held(o)).ToArray();
        OrderEvent[] In(DateTimeOffset from, DateTimeOffset to) => [.. standing.Where(o => Floor(o.PlacedAt) >= from && Floor(o.PlacedAt) <= to)];
        var today = In(todayFrom, Floor(now));
        var lastWeek = In(lastWeekFrom, lastWeekTo);

        Counted Count(Func<OrderEvent, bool> which)
        {
            var (t, tg) = People(today.Where(which));
            var (w, wg) = People(lastWeek.Where(which));
            return new(t.Count(p => p.Value), t.Count(p => !p.Value), tg, w.Count(p => p.Value), w.Count(p => !p.Value), wg);
        }

        var channels = Channels.Where(c => today.Concat(lastWeek).Any(o => o.Channel == c)).ToDictionary(c => c, c => Count(o => o.Channel == c));
        return new Expected(Count(_ => true), channels, today.Length);
    }

    private static (Dictionary<string, bool> Buyers, int Guests) People(IEnumerable<OrderEvent> orders)
    {
        var buyers = new Dictionary<string, bool>();
        var guests = 0;
        foreach (var o in orders)
        {
            var key = !string.IsNullOrWhiteSpace(o.CustomerId)
                ? o.CustomerId.Contains('@') ? "mail:" + Sha(o.CustomerId) : $"{o.Channel}/{o.CustomerId}"
                : o.CustomerEmailHash is { Length: > 0 } hash ? "mail:" + hash : null;
            if (key is null)
            {
                guests++;
            }
            else
            {
                buyers[key] = buyers.GetValueOrDefault(key) || !o.ReturningCustomer;
            }
        }

        return (buyers, guests);
    }

    /// <summary>
    /// About 260 orders over the ten days before <see cref="End"/>, many around New York's midnights, on three channels:
    /// repeat buyers, guests, e-mail-only buyers and addresses given as ids; a third edited (some moved across midnight, some
    /// named or renamed, some flipping new/returning), some cancelled, some delivered twice or late with an older version.
    /// </summary>
    private static List<CommerceEvent> RandomTrade(int seed, out int cut)
    {
        var random = new Random(seed);
        var emails = Enumerable.Range(1, 8).Select(i => $"buyer{i}@example.com").ToArray();
        var midnights = Enumerable.Range(0, 11).Select(d => TimeZoneInfo.ConvertTimeToUtc(new DateTime(2026, 11, 3).AddDays(-d), NewYork)).ToArray();
        var timed = new List<(DateTimeOffset At, CommerceEvent Event)>();

        OrderPlaced Identify(OrderPlaced order)
        {
            var roll = random.Next(100);
            return roll switch
            {
                < 25 => order with { CustomerId = null, CustomerEmailHash = null },
                < 45 => order with { CustomerEmailHash = Sha(emails[random.Next(emails.Length)]) },
                < 55 => order with { CustomerId = emails[random.Next(emails.Length)].ToUpperInvariant() },
                _ => order with { CustomerId = $"c{random.Next(1, 30)}" },
            } with { ReturningCustomer = random.Next(3) == 0 };
        }

        for (var i = 0; i < 260; i++)
        {
            var placedAt = random.Next(2) == 0
                ? midnights[random.Next(midnights.Length)].AddMinutes(random.Next(-40, 41)).AddSeconds(random.Next(60))
                : End.AddMinutes(-random.Next(0, 10 * 24 * 60)).AddSeconds(-random.Next(60));
            if (placedAt > End)
            {
                placedAt = End.AddSeconds(-random.Next(60, 600));
            }

            var placed = Identify(Placed($"o{seed}-{i}", placedAt, random.Next(100, 10000) / 100m, zone: Zone, currency: "USD")
                with { Channel = Channels[random.Next(Channels.Length)] });
            timed.Add((placedAt, placed));
            OrderEvent latest = placed;
            if (random.Next(3) == 0)
            {
                var version = latest.Version.AddMinutes(random.Next(1, 90));
                var edited = Updated(latest, version, latest.TotalPrice + 1m) with
                {
                    PlacedAt = random.Next(2) == 0 ? latest.PlacedAt : latest.PlacedAt.AddMinutes(random.Next(-60, 61)),
                };
                edited = random.Next(3) switch
                {
                    0 => edited with { CustomerId = $"c{random.Next(1, 30)}", CustomerEmailHash = null, ReturningCustomer = random.Next(2) == 0 },
                    1 => edited with { ReturningCustomer = !edited.ReturningCustomer },
                    _ => edited,
                };
                timed.Add((version, edited));
                if (random.Next(4) == 0)
                {
                    // The older version arrives late under its own delivery id: the version gate refuses it.
                    timed.Add((version.AddMinutes(1), placed with { EventId = $"late-{placed.OrderId}" }));
                }

                latest = edited;
            }

            if (random.Next(7) == 0)
            {
                var at = latest.Version.AddMinutes(random.Next(1, 60));
                var cancelled = Cancelled(latest, at) with { PlacedAt = latest.PlacedAt, CustomerEmailHash = latest.CustomerEmailHash };
                timed.Add((at, cancelled));
            }

            if (random.Next(8) == 0)
            {
                timed.Add((placedAt.AddMinutes(2), placed)); // the same delivery again
            }
        }

        var ordered = timed.OrderBy(t => t.At).Select(t => t.Event with { OccurredAt = t.At }).ToList();
        cut = ordered.Count * 2 / 3;
        return ordered;
    }

    private static DateTimeOffset Floor(DateTimeOffset at) => DateTimeOffset.FromUnixTimeSeconds(at.ToUnixTimeSeconds() / 60 * 60);

    private static string Sha(string email) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));

    private sealed record Counted(decimal New, decimal Returning, decimal Guests, decimal NewLastWeek, decimal ReturningLastWeek, decimal GuestsLastWeek);

    private sealed record Expected(Counted Store, Dictionary<SalesChannel, Counted> Channels, int OrdersToday);
}
