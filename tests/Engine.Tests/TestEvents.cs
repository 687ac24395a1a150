using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Tests;

/// <summary>Builds normalised events the way a connector would, with only what a test cares about varying.</summary>
internal static class TestEvents
{
    public static readonly StoreRef Store = new("acme", "eu-shop");

    public static OrderPlaced Placed(string orderId, DateTimeOffset placedAt, decimal total, int units = 1,
        bool returning = false, string? eventId = null, DateTimeOffset? version = null, StoreRef? store = null,
        string zone = "Europe/London", string currency = "GBP") => new()
        {
            Store = store ?? Store,
            Channel = SalesChannel.Shopify,
            EventId = eventId ?? $"placed-{orderId}",
            OccurredAt = placedAt,
            StoreTimeZone = zone,
            Currency = currency,
            OrderId = orderId,
            PlacedAt = placedAt,
            Version = version ?? placedAt,
            TotalPrice = total,
            Lines = [new OrderLine("SKU-1", "Mug", units, units == 0 ? 0m : total / units)],
            CustomerId = returning ? "cust-1" : null,
            ReturningCustomer = returning,
        };

    public static OrderUpdated Updated(OrderEvent order, DateTimeOffset version, decimal total, string? eventId = null) => new()
    {
        Store = order.Store,
        Channel = order.Channel,
        EventId = eventId ?? $"updated-{order.OrderId}-{version.ToUnixTimeSeconds()}",
        OccurredAt = version,
        StoreTimeZone = order.StoreTimeZone,
        Currency = order.Currency,
        OrderId = order.OrderId,
        PlacedAt = order.PlacedAt,
        Version = version,
        TotalPrice = total,
        Lines = order.Lines,
        CustomerId = order.CustomerId,
        ReturningCustomer = order.ReturningCustomer,
    };

    public static OrderCancelled Cancelled(OrderEvent order, DateTimeOffset at) => new()
    {
        Store = order.Store,
        Channel = order.Channel,
        EventId = $"cancelled-{order.OrderId}",
        OccurredAt = at,
        StoreTimeZone = order.StoreTimeZone,
        Currency = order.Currency,
        OrderId = order.OrderId,
        PlacedAt = order.PlacedAt,
        Version = at,
        TotalPrice = order.TotalPrice,
        Lines = order.Lines,
        CustomerId = order.CustomerId,
        ReturningCustomer = order.ReturningCustomer,
        CancelledAt = at,
    };

    public static RefundIssued Refund(string refundId, string orderId, DateTimeOffset at, decimal amount, string? eventId = null,
        StoreRef? store = null) => new()
        {
            Store = store ?? Store,
            Channel = SalesChannel.Shopify,
            EventId = eventId ?? $"refund-{refundId}",
            OccurredAt = at,
            StoreTimeZone = "Europe/London",
            Currency = "GBP",
            RefundId = refundId,
            OrderId = orderId,
            Amount = amount,
            Units = 1,
        };

    public static SessionStarted Session(string sessionId, DateTimeOffset at) => new()
    {
        Store = Store,
        Channel = SalesChannel.GoogleAnalytics,
        EventId = $"session-{sessionId}",
        OccurredAt = at,
        StoreTimeZone = "Europe/London",
        Currency = "GBP",
        SessionId = sessionId,
        Source = "google",
        Converted = true,
    };

    public static AdSpendRecorded AdSpend(string campaignId, DateTimeOffset at, decimal spend) => new()
    {
        Store = Store,
        Channel = SalesChannel.GoogleAds,
        EventId = $"spend-{campaignId}-{at.ToUnixTimeSeconds()}",
        OccurredAt = at,
        StoreTimeZone = "Europe/London",
        Currency = "GBP",
        CampaignId = campaignId,
        Spend = spend,
        Clicks = 12,
        Impressions = 340,
    };

    public static ShipmentUpdated Shipment(string eventId, string trackingCode, string status, DateTimeOffset at) => new()
    {
        Store = Store,
        Channel = SalesChannel.Shipping,
        EventId = eventId,
        OccurredAt = at,
        StoreTimeZone = "Europe/London",
        Currency = "GBP",
        Carrier = "USPS",
        TrackingCode = trackingCode,
        Status = status,
        StatusDetail = "arrived_at_facility",
        OrderId = "o1",
        ShipmentReference = "shp_1",
        TrackerId = "trk_1",
        EstimatedDelivery = at.AddDays(2),
        ShippedAt = at.AddHours(-5),
        DeliveredAt = status == "delivered" ? at : null,
        PublicUrl = "https://track.easypost.com/1",
    };

    public static TrafficReported Traffic(DateOnly day, string source, long users, DateTimeOffset readAt) => new()
    {
        Store = Store,
        Channel = SalesChannel.GoogleAnalytics,
        EventId = $"ga4-traffic:{day}:{source}:{users}",
        OccurredAt = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
        StoreTimeZone = "Europe/London",
        Currency = "GBP",
        Day = day,
        Source = source,
        Medium = "cpc",
        Users = users,
        ActiveUsers = users - 1,
        Sessions = users + 3,
        Conversions = 1.5m,
        ReportedAt = readAt,
    };

    public static DateTimeOffset Utc(int year, int month, int day, int hour, int minute, int second = 0) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);
}
