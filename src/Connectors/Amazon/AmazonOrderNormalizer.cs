using System.Text.Json;
using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Amazon;

/// <summary>
/// Reads SP-API Orders v0 "Order" and "OrderItem" objects (ordersV0.json model). Amounts are strings ("11.01");
/// an order is an upsert keyed by AmazonOrderId with LastUpdateDate as its version.
/// </summary>
public static class AmazonOrderNormalizer
{
    /// <summary>Pending orders have no OrderTotal yet and may never be paid; they are counted once they move on.</summary>
    public static bool IsCountable(JsonElement order) =>
        !(JsonFields.OptionalString(order, "OrderStatus", "OrderStatus") is "Pending" or "PendingAvailability");

    /// <summary>The order as an event, or null while it is still pending.</summary>
    public static OrderEvent? Read(JsonElement order, string path, IReadOnlyList<OrderLine> lines, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!IsCountable(order))
        {
            return null;
        }

        var id = JsonFields.String(order, "AmazonOrderId", $"{path}.AmazonOrderId");
        var purchased = JsonFields.Date(order, "PurchaseDate", $"{path}.PurchaseDate");
        var updated = JsonFields.Date(order, "LastUpdateDate", $"{path}.LastUpdateDate");
        var status = JsonFields.String(order, "OrderStatus", $"{path}.OrderStatus");
        var total = JsonFields.OptionalObject(order, "OrderTotal", $"{path}.OrderTotal");
        var amount = total is { } t ? JsonFields.Money(t, "Amount", $"{path}.OrderTotal.Amount") : 0m;
        var currency = total is { } c ? JsonFields.String(c, "CurrencyCode", $"{path}.OrderTotal.CurrencyCode") : store.Currency;
        var cancelled = status == "Canceled";
        var country = JsonFields.OptionalObject(order, "ShippingAddress", $"{path}.ShippingAddress") is { } address
            ? JsonFields.OptionalString(address, "CountryCode", $"{path}.ShippingAddress.CountryCode")
            : null;

        OrderEvent result = cancelled
            ? new OrderCancelled { Store = store.Store, Channel = SalesChannel.Amazon, EventId = string.Empty, OccurredAt = updated, StoreTimeZone = store.TimeZone, Currency = currency, OrderId = string.Empty, PlacedAt = purchased, Version = updated, TotalPrice = amount, Lines = lines }
            : new OrderUpdated { Store = store.Store, Channel = SalesChannel.Amazon, EventId = string.Empty, OccurredAt = updated, StoreTimeZone = store.TimeZone, Currency = currency, OrderId = string.Empty, PlacedAt = purchased, Version = updated, TotalPrice = amount, Lines = lines };
        return result with
        {
            OrderId = "amazon:" + id,
            EventId = $"amazon:{id}:{updated.ToUnixTimeMilliseconds()}",
            CancelledAt = cancelled ? updated : null,
            SubtotalPrice = lines.Sum(l => l.UnitPrice * l.Quantity),
            SourceName = JsonFields.OptionalString(order, "SalesChannel", $"{path}.SalesChannel") ?? "Amazon",
            CountryCode = country,
        };
    }

    /// <summary>
    /// Order items of one getOrderItems page. ItemPrice is the price of the whole quantity (ordersV0.json:
    /// "the selling price of the order item ... multiplied by the quantity ordered"), so the unit price divides it.
    /// </summary>
    public static IReadOnlyList<OrderLine> ReadItems(JsonElement payload)
    {
        var lines = new List<OrderLine>();
        foreach (var (item, path) in JsonFields.Array(payload, "OrderItems", "payload.OrderItems", required: true))
        {
            var quantity = (int)JsonFields.Long(item, "QuantityOrdered", $"{path}.QuantityOrdered");
            var price = JsonFields.OptionalObject(item, "ItemPrice", $"{path}.ItemPrice") is { } p
                ? JsonFields.Money(p, "Amount", $"{path}.ItemPrice.Amount")
                : 0m;
            var sku = JsonFields.OptionalString(item, "SellerSKU", $"{path}.SellerSKU") ?? JsonFields.String(item, "ASIN", $"{path}.ASIN");
            lines.Add(new OrderLine(sku, JsonFields.OptionalString(item, "Title", $"{path}.Title") ?? string.Empty, quantity,
                quantity == 0 ? price : Math.Round(price / quantity, 2, MidpointRounding.AwayFromZero)));
        }

        return lines;
    }
}
