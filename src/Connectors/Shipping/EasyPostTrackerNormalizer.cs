using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Shipping;

/// <summary>
/// Where one parcel stands, from a carrier-tracking event, as EasyPost describes it. It moves no money; the engine gets it
/// as a <see cref="ShipmentUpdated"/> (see <see cref="EasyPostTrackerNormalizer.ToEvent"/>) for the shipments view.
/// </summary>
/// <param name="EventId">The tracking event's id; a redelivery repeats it.</param>
/// <param name="Status">EasyPost's tracker status: pre_transit, in_transit, out_for_delivery, delivered, return_to_sender, failure, ...</param>
/// <param name="Reference">The shipment id EasyPost links the tracker to, when it has one.</param>
public sealed record ShipmentTrackingUpdate(
    string EventId,
    string TrackerId,
    string TrackingCode,
    string Carrier,
    string Status,
    string? StatusDetail,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? EstimatedDelivery,
    string? Reference,
    string? PublicUrl)
{
    /// <summary>The earliest tracking checkpoint with the carrier (in_transit or later), when the tracker lists its checkpoints.</summary>
    public DateTimeOffset? ShippedAt { get; init; }

    /// <summary>The delivered checkpoint's time, once there is one.</summary>
    public DateTimeOffset? DeliveredAt { get; init; }
}

/// <summary>What became of one shipping webhook.</summary>
public abstract record ShipmentNormalizeResult
{
    private ShipmentNormalizeResult()
    {
    }

    public sealed record Ok(ShipmentTrackingUpdate Update) : ShipmentNormalizeResult;

    public sealed record Invalid(string Detail) : ShipmentNormalizeResult;

    public sealed record Ignored(string Reason) : ShipmentNormalizeResult;
}

/// <summary>Reads EasyPost's tracker.created / tracker.updated events (API reference, "Events" and "Trackers").</summary>
public static class EasyPostTrackerNormalizer
{
    private static readonly HashSet<string> WithCarrier = new(StringComparer.OrdinalIgnoreCase)
    {
        "in_transit", "out_for_delivery", "available_for_pickup", "delivered", "return_to_sender", "failure",
    };

    /// <summary>A verified tracker event as the engine's contract event for the store; shipping money is not involved.</summary>
    public static NormalizeResult Normalize(ReadOnlyMemory<byte> body, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Normalize(body) switch
        {
            ShipmentNormalizeResult.Ok ok => new NormalizeResult.Ok([ToEvent(ok.Update, store)]),
            ShipmentNormalizeResult.Invalid invalid => new NormalizeResult.Invalid(invalid.Detail),
            ShipmentNormalizeResult.Ignored ignored => new NormalizeResult.Ignored(ignored.Reason),
            _ => throw new InvalidOperationException("Unknown shipment normalise result."),
        };
    }

    public static ShipmentUpdated ToEvent(ShipmentTrackingUpdate update, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(store);
        return new ShipmentUpdated
        {
            Store = store.Store,
            Channel = SalesChannel.Shipping,
            EventId = "easypost:" + update.EventId,
            OccurredAt = update.UpdatedAt,
            StoreTimeZone = store.TimeZone,
            Currency = store.Currency,
            Carrier = update.Carrier,
            TrackingCode = update.TrackingCode,
            Status = update.Status,
            StatusDetail = update.StatusDetail,
            ShipmentReference = update.Reference,
            TrackerId = update.TrackerId,
            EstimatedDelivery = update.EstimatedDelivery,
            ShippedAt = update.ShippedAt,
            DeliveredAt = update.DeliveredAt ?? (string.Equals(update.Status, "delivered", StringComparison.OrdinalIgnoreCase) ? update.UpdatedAt : null),
            PublicUrl = update.PublicUrl,
        };
    }

    public static ShipmentNormalizeResult Normalize(ReadOnlyMemory<byte> body)
    {
        return JsonFields.ReadObject<ShipmentNormalizeResult>(body, root =>
        {
            var description = JsonFields.String(root, "description", "description");
            if (description is not ("tracker.created" or "tracker.updated"))
            {
                return new ShipmentNormalizeResult.Ignored($"event '{description}' is not a tracker event");
            }

            var tracker = JsonFields.Object(root, "result", "result");
            var updated = JsonFields.OptionalDate(tracker, "updated_at", "result.updated_at") ?? JsonFields.Date(root, "updated_at", "updated_at");
            DateTimeOffset? shipped = null, delivered = null;
            foreach (var (detail, path) in JsonFields.Array(tracker, "tracking_details", "result.tracking_details"))
            {
                var status = JsonFields.OptionalString(detail, "status", path + ".status");
                if (status is null || JsonFields.OptionalDate(detail, "datetime", path + ".datetime") is not { } at)
                {
                    continue;
                }

                if (WithCarrier.Contains(status) && (shipped is null || at < shipped))
                {
                    shipped = at;
                }

                if (status.Equals("delivered", StringComparison.OrdinalIgnoreCase) && (delivered is null || at < delivered))
                {
                    delivered = at;
                }
            }

            return new ShipmentNormalizeResult.Ok(new ShipmentTrackingUpdate(
                EventId: JsonFields.String(root, "id", "id"),
                TrackerId: JsonFields.String(tracker, "id", "result.id"),
                TrackingCode: JsonFields.String(tracker, "tracking_code", "result.tracking_code"),
                Carrier: JsonFields.OptionalString(tracker, "carrier", "result.carrier") ?? "unknown",
                Status: JsonFields.String(tracker, "status", "result.status"),
                StatusDetail: JsonFields.OptionalString(tracker, "status_detail", "result.status_detail"),
                UpdatedAt: updated,
                EstimatedDelivery: JsonFields.OptionalDate(tracker, "est_delivery_date", "result.est_delivery_date"),
                Reference: JsonFields.OptionalString(tracker, "shipment_id", "result.shipment_id"),
                PublicUrl: JsonFields.OptionalString(tracker, "public_url", "result.public_url"))
            {
                ShippedAt = shipped,
                DeliveredAt = delivered,
            });
        }, reason => new ShipmentNormalizeResult.Invalid(reason));
    }
}
