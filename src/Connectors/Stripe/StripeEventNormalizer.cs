using System.Text.Json;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Currency;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Stripe;

/// <summary>
/// Turns a Stripe webhook event (API reference, "The Event object", whose data.object is a charge or a refund) into events.
/// A captured charge is a sale; each succeeded refund is money returned. Checkout sessions and payment intents are
/// skipped on purpose: every one of them also produces a charge, and counting both would double the revenue.
/// </summary>
public static class StripeEventNormalizer
{
    public static NormalizeResult Normalize(ReadOnlyMemory<byte> body, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return JsonFields.ReadObject<NormalizeResult>(body, root =>
        {
            var eventId = JsonFields.String(root, "id", "id");
            var type = JsonFields.String(root, "type", "type");
            var created = JsonFields.UnixSeconds(root, "created", "created");
            var data = JsonFields.Object(root, "data", "data");
            var item = JsonFields.Object(data, "object", "data.object");

            return type switch
            {
                "charge.succeeded" or "charge.captured" => Charge(type, eventId, created, item, store),
                "refund.created" or "refund.updated" or "charge.refund.updated" => Refunds([item], "data.object", store),
                "charge.refunded" => ChargeRefunds(item, store),
                _ => new NormalizeResult.Ignored($"event type '{type}' is not one SalesDash tracks"),
            };
        }, reason => new NormalizeResult.Invalid(reason));
    }

    private static NormalizeResult Charge(string type, string eventId, DateTimeOffset eventCreated, JsonElement charge, StoreProfile store)
    {
        var chargeId = JsonFields.String(charge, "id", "data.object.id");
        var currency = JsonFields.String(charge, "currency", "data.object.currency").ToUpperInvariant();
        var status = JsonFields.OptionalString(charge, "status", "data.object.status");
        if (!JsonFields.OptionalBool(charge, "captured", "data.object.captured") || status is "failed" or "pending")
        {
            // A manual-capture charge is only authorised here; charge.captured brings the money later.
            return new NormalizeResult.Ignored($"charge {chargeId} is not captured yet");
        }

        var amount = JsonFields.OptionalLong(charge, "amount_captured", "data.object.amount_captured") is > 0 and var captured
            ? captured
            : JsonFields.Long(charge, "amount", "data.object.amount");
        var placed = JsonFields.UnixSeconds(charge, "created", "data.object.created");
        var country = JsonFields.OptionalObject(charge, "billing_details", "data.object.billing_details") is { } billing
            && JsonFields.OptionalObject(billing, "address", "data.object.billing_details.address") is { } address
            ? JsonFields.OptionalString(address, "country", "data.object.billing_details.address.country")
            : null;
        var orderId = "stripe:" + (JsonFields.OptionalString(charge, "payment_intent", "data.object.payment_intent") ?? chargeId);

        OrderEvent order = type == "charge.captured"
            ? new OrderUpdated { Store = store.Store, Channel = SalesChannel.Stripe, EventId = eventId, OccurredAt = eventCreated, StoreTimeZone = store.TimeZone, Currency = currency, OrderId = orderId, PlacedAt = placed, Version = eventCreated, TotalPrice = CurrencyUnits.FromMinorUnits(amount, currency), Lines = [] }
            : new OrderPlaced { Store = store.Store, Channel = SalesChannel.Stripe, EventId = eventId, OccurredAt = placed, StoreTimeZone = store.TimeZone, Currency = currency, OrderId = orderId, PlacedAt = placed, Version = eventCreated, TotalPrice = CurrencyUnits.FromMinorUnits(amount, currency), Lines = [] };
        return new NormalizeResult.Ok([order with
        {
            CustomerId = JsonFields.OptionalString(charge, "customer", "data.object.customer"),
            CountryCode = country,
            SourceName = "stripe",
        }]);
    }

    private static NormalizeResult ChargeRefunds(JsonElement charge, StoreProfile store)
    {
        // Since API version 2022-11-15 the charge no longer embeds its refunds; refund.created carries each one then.
        if (JsonFields.OptionalObject(charge, "refunds", "data.object.refunds") is not { } list)
        {
            return new NormalizeResult.Ignored("charge.refunded without an embedded refunds list; each refund arrives as refund.created");
        }

        return Refunds(JsonFields.Array(list, "data", "data.object.refunds.data", required: true).Select(x => x.Item).ToList(), "data.object.refunds.data", store);
    }

    private static NormalizeResult Refunds(IReadOnlyList<JsonElement> refunds, string path, StoreProfile store)
    {
        var events = new List<CommerceEvent>();
        for (var i = 0; i < refunds.Count; i++)
        {
            var refund = refunds[i];
            var at = refunds.Count == 1 && path == "data.object" ? path : $"{path}[{i}]";
            var status = JsonFields.OptionalString(refund, "status", $"{at}.status");
            if (status is not "succeeded")
            {
                // pending, failed or canceled refunds return nothing (yet); a later refund.updated brings the success.
                continue;
            }

            var id = JsonFields.String(refund, "id", $"{at}.id");
            var currency = JsonFields.String(refund, "currency", $"{at}.currency").ToUpperInvariant();
            var charge = JsonFields.OptionalString(refund, "payment_intent", $"{at}.payment_intent")
                ?? JsonFields.String(refund, "charge", $"{at}.charge");
            events.Add(new RefundIssued
            {
                Store = store.Store,
                Channel = SalesChannel.Stripe,
                // One id per refund, whichever event (refund.*, charge.refunded) brought it, so it is counted once.
                EventId = "stripe:refund:" + id,
                OccurredAt = JsonFields.UnixSeconds(refund, "created", $"{at}.created"),
                StoreTimeZone = store.TimeZone,
                Currency = currency,
                RefundId = "stripe:" + id,
                OrderId = "stripe:" + charge,
                Amount = CurrencyUnits.FromMinorUnits(JsonFields.Long(refund, "amount", $"{at}.amount"), currency),
            });
        }

        return events.Count == 0 && refunds.Count > 0
            ? new NormalizeResult.Ignored("no succeeded refund in the event")
            : new NormalizeResult.Ok(events);
    }
}
