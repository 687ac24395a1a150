namespace SalesDash.Contracts.Commerce;

/// <summary>
/// Where one parcel stands after a carrier-tracking event (EasyPost tracker.created / tracker.updated). It moves no money:
/// <see cref="CommerceEvent.Currency"/> is the store's, and history keeps it for the shipments view. The newest
/// <see cref="CommerceEvent.OccurredAt"/> (the tracker's updated_at) per carrier and tracking code is the parcel's state.
/// </summary>
public sealed record ShipmentUpdated : CommerceEvent
{
    public required string Carrier { get; init; }
    public required string TrackingCode { get; init; }

    /// <summary>The tracker's status as EasyPost names it: pre_transit, in_transit, out_for_delivery, available_for_pickup,
    /// delivered, return_to_sender, failure, cancelled, error or unknown.</summary>
    public required string Status { get; init; }

    public string? StatusDetail { get; init; }

    /// <summary>The store's order the parcel belongs to, when the carrier event names it.</summary>
    public string? OrderId { get; init; }

    /// <summary>The carrier-side shipment the tracker belongs to (EasyPost's shipment_id), when known.</summary>
    public string? ShipmentReference { get; init; }

    public string? TrackerId { get; init; }
    public DateTimeOffset? EstimatedDelivery { get; init; }

    /// <summary>When the carrier first scanned the parcel (the earliest in_transit checkpoint), when the event says.</summary>
    public DateTimeOffset? ShippedAt { get; init; }

    /// <summary>When the parcel was delivered (the delivered checkpoint), once it has been.</summary>
    public DateTimeOffset? DeliveredAt { get; init; }

    public string? PublicUrl { get; init; }
}

/// <summary>
/// One day's traffic from one source as an analytics property reports it (GA4 runReport by date, sessionSource and
/// sessionMedium). Figures are whole-day totals, not deltas: a later report of the same day and source replaces an
/// earlier one (the newest <see cref="ReportedAt"/> wins), because analytics keeps revising recent days.
/// </summary>
public sealed record TrafficReported : CommerceEvent
{
    /// <summary>The day in the property's reporting time zone; <see cref="CommerceEvent.OccurredAt"/> is its start in UTC.</summary>
    public required DateOnly Day { get; init; }

    /// <summary>sessionSource, e.g. "google", "facebook", "newsletter" or "(direct)".</summary>
    public required string Source { get; init; }

    /// <summary>sessionMedium, e.g. "cpc", "organic", "email" or "(none)".</summary>
    public string? Medium { get; init; }

    /// <summary>GA4 totalUsers: distinct users who had any event that day from this source.</summary>
    public long Users { get; init; }

    /// <summary>GA4 activeUsers: distinct engaged users that day from this source.</summary>
    public long ActiveUsers { get; init; }

    public long Sessions { get; init; }

    /// <summary>Conversions (GA4 keyEvents, formerly conversions); can be fractional when a key event is counted by value.</summary>
    public decimal Conversions { get; init; }

    /// <summary>When the figures were read; the newest reading of a day and source wins.</summary>
    public required DateTimeOffset ReportedAt { get; init; }
}
