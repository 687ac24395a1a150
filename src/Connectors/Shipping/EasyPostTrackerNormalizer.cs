using SalesDash.Connectors.Common;

namespace SalesDash.Connectors.Shipping;

/// <summary>
/// Where one parcel stands, from a carrier-tracking event. Not a <see cref="Contracts.Commerce.CommerceEvent"/>: it moves
/// no money, so it feeds the shipments view rather than the sales tiles.
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
    string? PublicUrl);

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
    public static ShipmentNormalizeResult Normalize(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonFields.ParseObject(body);
            var root = document.RootElement;
            var description = JsonFields.String(root, "description", "description");
            if (description is not ("tracker.created" or "tracker.updated"))
            {
                return new ShipmentNormalizeResult.Ignored($"event '{description}' is not a tracker event");
            }

            var tracker = JsonFields.Object(root, "result", "result");
            var updated = JsonFields.OptionalDate(tracker, "updated_at", "result.updated_at") ?? JsonFields.Date(root, "updated_at", "updated_at");
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
                PublicUrl: JsonFields.OptionalString(tracker, "public_url", "result.public_url")));
        }
        catch (FieldException e)
        {
            return new ShipmentNormalizeResult.Invalid(e.Message);
        }
    }
}
