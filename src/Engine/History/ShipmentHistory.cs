namespace SalesDash.Engine.History;

/// <summary>Where one parcel stands: its newest tracking event's status, and the times that say how long delivery took.</summary>
/// <param name="FirstSeenAt">The earliest tracking event of the parcel.</param>
/// <param name="ShippedAt">The carrier's first scan when an event said so; else null.</param>
/// <param name="DeliveredAt">The delivered checkpoint, or the first event with status delivered; null until delivered.</param>
public sealed record ParcelState(
    string StoreId,
    string Carrier,
    string TrackingCode,
    string Status,
    string? StatusDetail,
    string? OrderId,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? EstimatedDelivery,
    DateTimeOffset? ShippedAt,
    DateTimeOffset? DeliveredAt,
    string? PublicUrl)
{
    /// <summary>Delivered minus shipped (the first scan, or the first event when no scan time is known); null until delivered.</summary>
    public TimeSpan? TimeToDeliver => DeliveredAt is { } delivered ? delivered - (ShippedAt ?? FirstSeenAt) : null;

    /// <summary>Which of the shipments view's groups the parcel is in.</summary>
    public ShipmentGroup Group => ShipmentGroups.Of(Status);
}

/// <summary>The groups a shipments view counts parcels in.</summary>
public enum ShipmentGroup
{
    /// <summary>Label made, waiting for the carrier (pre_transit) or status unknown.</summary>
    Pending,

    /// <summary>With the carrier: in_transit, out_for_delivery, available_for_pickup.</summary>
    InTransit,

    Delivered,

    /// <summary>Needs attention: return_to_sender, failure, error, cancelled.</summary>
    Exception,
}

/// <summary>Maps EasyPost tracker statuses (API reference, "Trackers": status) to <see cref="ShipmentGroup"/>.</summary>
public static class ShipmentGroups
{
    public static ShipmentGroup Of(string status) => status.Trim().ToLowerInvariant() switch
    {
        "in_transit" or "out_for_delivery" or "available_for_pickup" => ShipmentGroup.InTransit,
        "delivered" => ShipmentGroup.Delivered,
        "return_to_sender" or "failure" or "error" or "cancelled" => ShipmentGroup.Exception,
        _ => ShipmentGroup.Pending,
    };
}

/// <summary>The parcels of a store as the history store keeps them (both stores implement it, so every node sees the same list).</summary>
public interface IShipmentHistory
{
    /// <summary>Each parcel of the scope whose newest tracking event falls in the range, at its newest state, newest first.</summary>
    Task<IReadOnlyList<ParcelState>> ParcelsAsync(HistoryScope scope, HistoryRange range, CancellationToken cancellationToken);
}
