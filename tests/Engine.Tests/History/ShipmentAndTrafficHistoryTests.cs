using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights.MultiChannel;

namespace SalesDash.Engine.Tests.History;

/// <summary>
/// Shipment and analytics-traffic facts through the history store as the writer hands them over, on DuckDB and on the
/// real ClickHouse server: the newest tracking state per parcel, time to deliver, a newer GA4 reading replacing an older
/// one, and replays that change nothing.
/// </summary>
public sealed class ShipmentAndTrafficHistoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly HistoryRange November = new(Start, Start.AddDays(30));

    public static TheoryData<string> Kinds => ["DuckDb", "ClickHouse"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Parcels_show_their_newest_state_and_days_to_deliver_whatever_the_arrival_order(string kind)
    {
        await using var under = await StoreUnderTest.CreateAsync(kind, Ct);
        var shipments = (IShipmentHistory)under.Store;
        CommerceEvent[] events =
        [
            // Parcel A: label, first scan on day 2 at 08:00, delivered on day 5 at 14:00 (3.25 days); the delivered event comes first.
            Shipment("a3", "TRK-A", "delivered", Start.AddDays(5).AddHours(14), shipped: Start.AddDays(2).AddHours(8), delivered: Start.AddDays(5).AddHours(14)),
            Shipment("a1", "TRK-A", "pre_transit", Start.AddDays(1)),
            Shipment("a2", "TRK-A", "in_transit", Start.AddDays(2).AddHours(8), shipped: Start.AddDays(2).AddHours(8), orderId: "1001"),
            // Parcel B: still with the carrier.
            Shipment("b1", "TRK-B", "pre_transit", Start.AddDays(10)),
            Shipment("b2", "TRK-B", "out_for_delivery", Start.AddDays(11)),
            // Parcel C: no scan times known; delivered two days after its first event.
            Shipment("c1", "TRK-C", "in_transit", Start.AddDays(12)),
            Shipment("c2", "TRK-C", "delivered", Start.AddDays(14)),
            // Parcel D: sent back.
            Shipment("d1", "TRK-D", "return_to_sender", Start.AddDays(20)),
            // Parcel E: last heard of before November, so outside the range.
            Shipment("e1", "TRK-E", "in_transit", Start.AddDays(-3)),
        ];

        foreach (var e in events)
        {
            await under.Store.WriteFactsAsync(Facts.Batch(e), Ct);
        }

        await under.Store.WriteFactsAsync(Facts.Batch(events), Ct);

        var parcels = await shipments.ParcelsAsync(HistoryScope.Store("acme", "uk-shop"), November, Ct);

        Assert.Equal(["TRK-D", "TRK-C", "TRK-B", "TRK-A"], parcels.Select(p => p.TrackingCode));
        var a = parcels.Single(p => p.TrackingCode == "TRK-A");
        Assert.Equal(("delivered", "1001", ShipmentGroup.Delivered), (a.Status, a.OrderId, a.Group));
        Assert.Equal(TimeSpan.FromHours(3 * 24 + 6), a.TimeToDeliver);
        Assert.Equal(TimeSpan.FromDays(2), parcels.Single(p => p.TrackingCode == "TRK-C").TimeToDeliver);
        var b = parcels.Single(p => p.TrackingCode == "TRK-B");
        Assert.Equal(("out_for_delivery", ShipmentGroup.InTransit, (TimeSpan?)null), (b.Status, b.Group, b.TimeToDeliver));
        Assert.Equal(ShipmentGroup.Exception, parcels.Single(p => p.TrackingCode == "TRK-D").Group);
        Assert.Empty(await shipments.ParcelsAsync(HistoryScope.Store("acme", "other-shop"), November, Ct));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_newer_reading_of_a_day_replaces_the_older_and_traffic_is_named_by_touch(string kind)
    {
        await using var under = await StoreUnderTest.CreateAsync(kind, Ct);
        var day = new DateOnly(2026, 11, 3);
        var first = Traffic(day, "google", "cpc", users: 100, active: 80, sessions: 120, conversions: 3m, readAt: Start.AddDays(3));
        var revised = Traffic(day, "google", "cpc", users: 110, active: 90, sessions: 130, conversions: 4.5m, readAt: Start.AddDays(4));
        var organic = Traffic(day, "google", "organic", users: 50, active: 40, sessions: 55, conversions: 1m, readAt: Start.AddDays(4));
        var direct = Traffic(day.AddDays(1), "(direct)", "(none)", users: 30, active: 20, sessions: 33, conversions: 0m, readAt: Start.AddDays(5));
        var fb = Traffic(day.AddDays(1), "facebook", "paid", users: 12, active: 10, sessions: 15, conversions: 1m, readAt: Start.AddDays(5));
        var outside = Traffic(new DateOnly(2026, 10, 20), "google", "cpc", users: 999, active: 999, sessions: 999, conversions: 99m, readAt: Start);

        // The revision lands first, the older reading after it (a journal replay can do that): the newer still wins.
        await under.Store.WriteFactsAsync(Facts.Batch(revised, organic), Ct);
        await under.Store.WriteFactsAsync(Facts.Batch(first, direct, fb, outside), Ct);
        await under.Store.WriteFactsAsync(Facts.Batch(first, revised, organic, direct, fb, outside), Ct);

        var data = await ((IChannelInsightStore)under.Store).ReadAsync("acme", November, Ct);
        var report = ChannelInsightCalculator.Compute(data, "GBP");

        Assert.Equal(4, data.Traffic.Count);
        Assert.Equal(["GoogleAds", "google", "direct", "FacebookAds"], report.Traffic.Select(t => t.Touch));
        var ads = report.Traffic[0];
        Assert.Equal((110L, 90L, 130L, 4.5m, 0.0346m), (ads.Users, ads.ActiveUsers, ads.Sessions, ads.Conversions, ads.ConversionRate!.Value));
        Assert.Equal(["google / cpc"], ads.Sources);
        Assert.Equal((30L, 0m), (report.Traffic[2].Users, report.Traffic[2].ConversionRate!.Value));
    }

    private static ShipmentUpdated Shipment(string id, string code, string status, DateTimeOffset at, DateTimeOffset? shipped = null,
        DateTimeOffset? delivered = null, string? orderId = null) => new()
        {
            Store = Facts.Shop, Channel = SalesChannel.Shipping, EventId = "easypost:" + id, OccurredAt = at, StoreTimeZone = "Europe/London",
            Currency = "GBP", Carrier = "USPS", TrackingCode = code, Status = status, ShippedAt = shipped, OrderId = orderId,
            DeliveredAt = delivered ?? (status == "delivered" ? at : null),
        };

    private static TrafficReported Traffic(DateOnly day, string source, string medium, long users, long active, long sessions, decimal conversions,
        DateTimeOffset readAt) => new()
        {
            Store = Facts.Shop, Channel = SalesChannel.GoogleAnalytics, EventId = $"ga4:{day}:{source}:{medium}:{users}", StoreTimeZone = "Europe/London",
            OccurredAt = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), Currency = "GBP", Day = day, Source = source,
            Medium = medium, Users = users, ActiveUsers = active, Sessions = sessions, Conversions = conversions, ReportedAt = readAt,
        };
}
