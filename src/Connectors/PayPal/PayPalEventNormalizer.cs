using System.Text.Json;
using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.PayPal;

/// <summary>
/// Turns a PayPal webhook event (REST docs, "Webhook event names": PAYMENT.CAPTURE.* with a Payments v2 capture or
/// refund as "resource") into events. A completed capture is a sale, keyed by the capture id so its refunds (whose "up"
/// link names the capture) land on the same order.
/// </summary>
public static class PayPalEventNormalizer
{
    public static NormalizeResult Normalize(ReadOnlyMemory<byte> body, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return JsonFields.ReadObject<NormalizeResult>(body, root =>
        {
            var eventId = JsonFields.String(root, "id", "id");
            var type = JsonFields.String(root, "event_type", "event_type");
            var resource = JsonFields.Object(root, "resource", "resource");
            return type switch
            {
                "PAYMENT.CAPTURE.COMPLETED" => Capture(eventId, resource, store),
                "PAYMENT.CAPTURE.REFUNDED" => Refund(resource, store),
                _ => new NormalizeResult.Ignored($"event type '{type}' is not one SalesDash tracks"),
            };
        }, reason => new NormalizeResult.Invalid(reason));
    }

    private static NormalizeResult Capture(string eventId, JsonElement capture, StoreProfile store)
    {
        var id = JsonFields.String(capture, "id", "resource.id");
        var status = JsonFields.OptionalString(capture, "status", "resource.status");
        if (status is not null && status != "COMPLETED")
        {
            return new NormalizeResult.Ignored($"capture {id} is {status}, not COMPLETED");
        }

        var (value, currency) = Amount(capture, "resource.amount");
        var created = JsonFields.Date(capture, "create_time", "resource.create_time");
        var updated = JsonFields.OptionalDate(capture, "update_time", "resource.update_time") ?? created;
        return new NormalizeResult.Ok([new OrderPlaced
        {
            Store = store.Store,
            Channel = SalesChannel.PayPal,
            EventId = eventId,
            OccurredAt = created,
            StoreTimeZone = store.TimeZone,
            Currency = currency,
            OrderId = "paypal:" + id,
            PlacedAt = created,
            Version = updated,
            TotalPrice = value,
            Lines = [],
            SourceName = "paypal",
        }]);
    }

    private static NormalizeResult Refund(JsonElement refund, StoreProfile store)
    {
        var id = JsonFields.String(refund, "id", "resource.id");
        var status = JsonFields.OptionalString(refund, "status", "resource.status");
        if (status is not null && status != "COMPLETED")
        {
            return new NormalizeResult.Ignored($"refund {id} is {status}, not COMPLETED");
        }

        var (value, currency) = Amount(refund, "resource.amount");
        var captureId = JsonFields.Array(refund, "links", "resource.links")
            .Where(l => JsonFields.OptionalString(l.Item, "rel", $"{l.Path}.rel") == "up")
            .Select(l => JsonFields.String(l.Item, "href", $"{l.Path}.href"))
            .Select(href => href.TrimEnd('/').Split('/')[^1])
            .FirstOrDefault() ?? id;
        return new NormalizeResult.Ok([new RefundIssued
        {
            Store = store.Store,
            Channel = SalesChannel.PayPal,
            EventId = "paypal:refund:" + id,
            OccurredAt = JsonFields.Date(refund, "create_time", "resource.create_time"),
            StoreTimeZone = store.TimeZone,
            Currency = currency,
            RefundId = "paypal:" + id,
            OrderId = "paypal:" + captureId,
            Amount = value,
        }]);
    }

    private static (decimal Value, string Currency) Amount(JsonElement parent, string path)
    {
        var amount = JsonFields.Object(parent, "amount", path);
        return (JsonFields.Money(amount, "value", $"{path}.value"), JsonFields.String(amount, "currency_code", $"{path}.currency_code").ToUpperInvariant());
    }
}
