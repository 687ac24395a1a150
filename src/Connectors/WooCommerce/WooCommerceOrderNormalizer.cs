using System.Text;
using System.Text.Json;
using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.WooCommerce;

/// <summary>
/// Turns a WooCommerce order (the REST API v3 order object, which order.* webhooks post as their body) into events:
/// the order at its current version, plus one <see cref="RefundIssued"/> per entry of its "refunds" array.
/// Pure: no I/O, no clock; the signature is checked before this is called.
/// </summary>
public static class WooCommerceOrderNormalizer
{
    /// <summary>Statuses whose money the shop has not received and may never receive (WooCommerce order statuses).</summary>
    private static readonly HashSet<string> Unpaid = new(StringComparer.OrdinalIgnoreCase) { "pending", "failed", "checkout-draft" };

    public static NormalizeResult Normalize(string? topic, ReadOnlyMemory<byte> body, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var kind = (topic ?? string.Empty).Trim().ToLowerInvariant();

        // WooCommerce pings a new webhook with a form body "webhook_id=N" before any real delivery.
        if (body.Length < 64 && Encoding.UTF8.GetString(body.Span).StartsWith("webhook_id=", StringComparison.Ordinal))
        {
            return new NormalizeResult.Ignored("WooCommerce webhook ping");
        }

        if (kind is not ("order.created" or "order.updated" or "order.deleted" or "order.restored"))
        {
            return new NormalizeResult.Ignored($"topic '{topic}' is not one SalesDash tracks");
        }

        return JsonFields.ReadObject<NormalizeResult>(body, root =>
        {
            if (kind == "order.deleted" && !root.TryGetProperty("total", out _))
            {
                // A permanent delete posts only {"id": N}; the trash step before it arrived as order.updated (cancelled).
                return new NormalizeResult.Ignored("order.deleted carries only the order id");
            }

            return new NormalizeResult.Ok(Read(kind, root, store));
        }, reason => new NormalizeResult.Invalid(reason));
    }

    /// <summary>Reads one order object (also used for orders listed by the REST API).</summary>
    public static IReadOnlyList<CommerceEvent> Read(string topic, JsonElement order, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var id = JsonFields.Id(order, "id", "id");
        var status = JsonFields.OptionalString(order, "status", "status") ?? string.Empty;
        // *_gmt fields are UTC without an offset; the plain ones are the shop's local time, which we do not trust.
        var created = JsonFields.OptionalDate(order, "date_created_gmt", "date_created_gmt") ?? JsonFields.Date(order, "date_created", "date_created");
        var modified = JsonFields.OptionalDate(order, "date_modified_gmt", "date_modified_gmt") ?? created;
        var currency = JsonFields.OptionalString(order, "currency", "currency") ?? store.Currency;
        var total = JsonFields.Money(order, "total", "total");
        var orderId = "woo:" + id;

        var lines = JsonFields.Array(order, "line_items", "line_items").Select(entry =>
        {
            var (item, path) = entry;
            var whole = JsonFields.Long(item, "quantity", $"{path}.quantity");
            var quantity = whole is >= int.MinValue and <= int.MaxValue ? (int)whole : throw new FieldException($"{path}.quantity: {whole} is not a quantity");
            var sku = JsonFields.OptionalString(item, "sku", $"{path}.sku");
            if (string.IsNullOrWhiteSpace(sku))
            {
                sku = JsonFields.OptionalId(item, "variation_id", $"{path}.variation_id") is { } variation and not "0"
                    ? variation
                    : JsonFields.OptionalId(item, "product_id", $"{path}.product_id") ?? string.Empty;
            }

            // "price" is the unit price after discounts; "total" / quantity says the same where price is absent.
            var lineTotal = JsonFields.OptionalMoney(item, "total", $"{path}.total");
            var price = JsonFields.OptionalMoney(item, "price", $"{path}.price")
                ?? (lineTotal is { } t && quantity != 0 ? t / quantity : throw new FieldException($"{path}.price: missing"));
            return new OrderLine(sku, JsonFields.OptionalString(item, "name", $"{path}.name") ?? string.Empty, quantity, price);
        }).ToList();

        var cancelled = topic == "order.deleted" || status.Equals("cancelled", StringComparison.OrdinalIgnoreCase);
        var customerId = JsonFields.OptionalId(order, "customer_id", "customer_id") is { } customer and not "0" ? customer : null;
        var events = new List<CommerceEvent>();
        var attribution = Attribution(order);
        var utm = OrderAttribution.ParseUtm(attribution.GetValueOrDefault("session_entry"));

        // A pending or failed order has taken no money: counting it would inflate revenue until it is paid.
        if (!Unpaid.Contains(status) || cancelled)
        {
            OrderEvent placed = topic == "order.created" && !cancelled
                ? new OrderPlaced { Store = store.Store, Channel = SalesChannel.WooCommerce, EventId = string.Empty, OccurredAt = created, StoreTimeZone = store.TimeZone, Currency = currency, OrderId = orderId, PlacedAt = created, Version = modified, TotalPrice = total, Lines = lines }
                : cancelled
                    ? new OrderCancelled { Store = store.Store, Channel = SalesChannel.WooCommerce, EventId = string.Empty, OccurredAt = modified, StoreTimeZone = store.TimeZone, Currency = currency, OrderId = orderId, PlacedAt = created, Version = modified, TotalPrice = total, Lines = lines }
                    : new OrderUpdated { Store = store.Store, Channel = SalesChannel.WooCommerce, EventId = string.Empty, OccurredAt = modified, StoreTimeZone = store.TimeZone, Currency = currency, OrderId = orderId, PlacedAt = created, Version = modified, TotalPrice = total, Lines = lines };

            events.Add(placed with
            {
                // The version is in the id, so a redelivery of the same state is one event however many deliveries carry it.
                EventId = $"woo:order:{id}:{modified.ToUnixTimeMilliseconds()}",
                SubtotalPrice = lines.Sum(l => l.UnitPrice * l.Quantity),
                TotalTax = JsonFields.OptionalMoney(order, "total_tax", "total_tax") ?? 0m,
                TotalDiscounts = JsonFields.OptionalMoney(order, "discount_total", "discount_total") ?? 0m,
                TotalShipping = JsonFields.OptionalMoney(order, "shipping_total", "shipping_total") ?? 0m,
                CustomerId = customerId,
                CancelledAt = cancelled ? modified : null,
                SourceName = JsonFields.OptionalString(order, "created_via", "created_via"),
                CountryCode = Country(order, "shipping") ?? Country(order, "billing"),
                LandingSite = attribution.GetValueOrDefault("session_entry"),
                ReferringSite = attribution.GetValueOrDefault("referrer"),
                UtmSource = utm.Source ?? attribution.GetValueOrDefault("utm_source")?.ToLowerInvariant(),
                UtmMedium = utm.Medium ?? attribution.GetValueOrDefault("utm_medium")?.ToLowerInvariant(),
                UtmCampaign = utm.Campaign ?? attribution.GetValueOrDefault("utm_campaign"),
                CustomerEmailHash = OrderAttribution.HashEmail(
                    JsonFields.OptionalObject(order, "billing", "billing") is { } billing ? JsonFields.OptionalString(billing, "email", "billing.email") : null),
            });
        }

        foreach (var (refund, path) in JsonFields.Array(order, "refunds", "refunds"))
        {
            var refundId = JsonFields.Id(refund, "id", $"{path}.id");
            // The order's refunds list carries refunds as negative totals ("-10.00"); money returned is the magnitude.
            var amount = Math.Abs(JsonFields.Money(refund, "total", $"{path}.total"));
            events.Add(new RefundIssued
            {
                Store = store.Store,
                Channel = SalesChannel.WooCommerce,
                EventId = $"woo:refund:{refundId}",
                // The list gives no refund date; the order's modification is when the refund became visible to us.
                OccurredAt = modified,
                StoreTimeZone = store.TimeZone,
                Currency = currency,
                RefundId = "woo:" + refundId,
                OrderId = orderId,
                Amount = amount,
            });
        }

        return events;
    }

    /// <summary>
    /// WooCommerce's order attribution (8.5+) keeps the visit in meta entries named _wc_order_attribution_*
    /// (utm_source, utm_medium, utm_campaign, referrer, session_entry); keyed here without the prefix.
    /// </summary>
    private static Dictionary<string, string> Attribution(JsonElement order)
    {
        const string Prefix = "_wc_order_attribution_";
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (meta, path) in JsonFields.Array(order, "meta_data", "meta_data"))
        {
            if (meta.ValueKind == JsonValueKind.Object
                && JsonFields.OptionalString(meta, "key", $"{path}.key") is { } key && key.StartsWith(Prefix, StringComparison.Ordinal)
                && meta.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String
                && value.GetString() is { Length: > 0 } text)
            {
                found.TryAdd(key[Prefix.Length..], text.Trim());
            }
        }

        return found;
    }

    private static string? Country(JsonElement order, string field) =>
        JsonFields.OptionalObject(order, field, field) is { } address
        && JsonFields.OptionalString(address, "country", $"{field}.country") is { Length: 2 } code ? code.ToUpperInvariant() : null;
}
