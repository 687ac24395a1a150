using System.Globalization;
using System.Text.Json;
using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Shopify;

/// <summary>
/// Turns a Shopify webhook body (orders/*, refunds/create) into <see cref="CommerceEvent"/>s.
/// Pure: no I/O, no clock; the signature is checked before this is called.
/// </summary>
public static class ShopifyWebhookNormalizer
{
    public static ShopifyNormalizeResult Normalize(string topic, ReadOnlyMemory<byte> body, ShopifyDelivery delivery, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(store);

        var kind = (topic ?? string.Empty).Trim().ToLowerInvariant();
        if (kind is not (ShopifyTopics.OrdersCreate or ShopifyTopics.OrdersUpdated or ShopifyTopics.OrdersCancelled or ShopifyTopics.RefundsCreate))
        {
            return new ShopifyNormalizeResult.Ignored($"topic '{topic}' is not one SalesDash tracks");
        }

        if (string.IsNullOrWhiteSpace(delivery.WebhookId))
        {
            return new ShopifyNormalizeResult.Invalid($"{ShopifyHeaders.WebhookId}: missing, so the delivery cannot be deduplicated");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return new ShopifyNormalizeResult.Invalid($"body: not valid JSON ({ex.Message})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new ShopifyNormalizeResult.Invalid($"body: expected a JSON object but found {document.RootElement.ValueKind}");
            }

            return JsonFields.Guard<ShopifyNormalizeResult>(() =>
            {
                CommerceEvent commerceEvent = kind == ShopifyTopics.RefundsCreate
                    ? ReadRefund(document.RootElement, delivery, store)
                    : ReadOrder(kind, document.RootElement, delivery, store);
                return new ShopifyNormalizeResult.Ok([commerceEvent]);
            }, reason => new ShopifyNormalizeResult.Invalid(reason));
        }
    }

    private static OrderEvent ReadOrder(string topic, JsonElement order, ShopifyDelivery delivery, StoreProfile store)
    {
        var id = RequiredId(order, "id");
        var createdAt = RequiredDate(order, "created_at");
        var updatedAt = OptionalDate(order, "updated_at");
        var cancelledAt = OptionalDate(order, "cancelled_at");
        var totalPrice = RequiredMoney(order, "total_price");

        var lines = ReadLines(order);
        var (customerId, returning) = ReadCustomer(order);

        var shipping = OptionalMoneyAt(order, "total_shipping_price_set", "shop_money", "amount");
        if (shipping is null && TryGet(order, "shipping_lines", out var shippingLines))
        {
            shipping = SumArray(shippingLines, "shipping_lines", static (item, path) => JsonFields.OptionalMoney(item, "price", path.Field("price")) ?? 0m);
        }

        var landingSite = OptionalString(order, "landing_site");
        var utm = OrderAttribution.ParseUtm(landingSite);
        var version = updatedAt ?? createdAt;
        var occurredAt = topic == ShopifyTopics.OrdersCreate ? createdAt : updatedAt ?? cancelledAt ?? createdAt;
        var currency = Currency(order, store);
        var subtotal = OptionalMoney(order, "subtotal_price") ?? 0m;
        var tax = OptionalMoney(order, "total_tax") ?? 0m;
        var discounts = OptionalMoney(order, "total_discounts") ?? 0m;
        // orders/cancelled always means cancelled, even if a stale body lacks the timestamp.
        var cancelled = cancelledAt ?? (topic == ShopifyTopics.OrdersCancelled ? version : null);
        var sourceName = OptionalString(order, "source_name");
        var country = CountryCode(order, "shipping_address") ?? CountryCode(order, "billing_address");
        var referringSite = OptionalString(order, "referring_site");
        var emailHash = OrderAttribution.HashEmail(CustomerEmail(order));

        // Each topic's record made once with every field: made with the required ones and then copied `with` the rest,
        // an order was two 30-field records a webhook (bench/README, issue 15 pt 1 at stop 24).
        return topic switch
        {
            ShopifyTopics.OrdersCreate => new OrderPlaced
            {
                Store = store.Store, Channel = SalesChannel.Shopify, EventId = delivery.WebhookId, OccurredAt = occurredAt,
                StoreTimeZone = store.TimeZone, Currency = currency, OrderId = id, PlacedAt = createdAt, Version = version,
                TotalPrice = totalPrice, Lines = lines, SubtotalPrice = subtotal, TotalTax = tax, TotalDiscounts = discounts,
                TotalShipping = shipping ?? 0m, CustomerId = customerId, ReturningCustomer = returning, CancelledAt = cancelled,
                SourceName = sourceName, CountryCode = country, LandingSite = landingSite, ReferringSite = referringSite,
                UtmSource = utm.Source, UtmMedium = utm.Medium, UtmCampaign = utm.Campaign, CustomerEmailHash = emailHash,
            },
            ShopifyTopics.OrdersUpdated when cancelledAt is null => new OrderUpdated
            {
                Store = store.Store, Channel = SalesChannel.Shopify, EventId = delivery.WebhookId, OccurredAt = occurredAt,
                StoreTimeZone = store.TimeZone, Currency = currency, OrderId = id, PlacedAt = createdAt, Version = version,
                TotalPrice = totalPrice, Lines = lines, SubtotalPrice = subtotal, TotalTax = tax, TotalDiscounts = discounts,
                TotalShipping = shipping ?? 0m, CustomerId = customerId, ReturningCustomer = returning, CancelledAt = cancelled,
                SourceName = sourceName, CountryCode = country, LandingSite = landingSite, ReferringSite = referringSite,
                UtmSource = utm.Source, UtmMedium = utm.Medium, UtmCampaign = utm.Campaign, CustomerEmailHash = emailHash,
            },
            _ => new OrderCancelled
            {
                Store = store.Store, Channel = SalesChannel.Shopify, EventId = delivery.WebhookId, OccurredAt = occurredAt,
                StoreTimeZone = store.TimeZone, Currency = currency, OrderId = id, PlacedAt = createdAt, Version = version,
                TotalPrice = totalPrice, Lines = lines, SubtotalPrice = subtotal, TotalTax = tax, TotalDiscounts = discounts,
                TotalShipping = shipping ?? 0m, CustomerId = customerId, ReturningCustomer = returning, CancelledAt = cancelled,
                SourceName = sourceName, CountryCode = country, LandingSite = landingSite, ReferringSite = referringSite,
                UtmSource = utm.Source, UtmMedium = utm.Medium, UtmCampaign = utm.Campaign, CustomerEmailHash = emailHash,
            },
        };
    }

    /// <summary>The order's currency; the store's own string when they are the same, as they nearly always are, rather than a copy per order.</summary>
    private static string Currency(JsonElement order, StoreProfile store)
    {
        if (TryGet(order, "currency", out var value) && value.ValueKind == JsonValueKind.String
            && !string.IsNullOrEmpty(store.Currency) && value.ValueEquals(store.Currency))
        {
            return store.Currency;
        }

        return OptionalString(order, "currency") ?? store.Currency;
    }

    // Shopify puts the address on the order ("email", "contact_email") and on the customer; any of them identifies the person.
    private static string? CustomerEmail(JsonElement order) =>
        OptionalString(order, "email") is { Length: > 0 } email ? email
        : OptionalString(order, "contact_email") is { Length: > 0 } contact ? contact
        : TryGet(order, "customer", out var customer) && customer.ValueKind == JsonValueKind.Object
            ? OptionalStringAt(customer, "email", "customer.email")
            : null;

    private static RefundIssued ReadRefund(JsonElement refund, ShopifyDelivery delivery, StoreProfile store)
    {
        var id = RequiredId(refund, "id");
        var orderId = RequiredId(refund, "order_id");
        var occurredAt = OptionalDate(refund, "processed_at") ?? OptionalDate(refund, "created_at")
            ?? throw new FieldException("created_at: missing (and no processed_at either)");

        var units = 0;
        var returnedLines = new List<OrderLine>();
        var hasLineItems = TryGet(refund, "refund_line_items", out var refundLines);
        if (hasLineItems)
        {
            EnsureArray(refundLines, "refund_line_items");
            var i = 0;
            foreach (var item in refundLines.EnumerateArray())
            {
                var path = new FieldPath("refund_line_items").At(i);
                var quantity = RequiredInt(item, "quantity", path.Field("quantity"));
                units += quantity;

                // The returned product, for per-product return rates; a line without its line_item names no product.
                if (TryGet(item, "line_item", out var lineItem) && lineItem.ValueKind == JsonValueKind.Object)
                {
                    var (sku, title) = LineIdentity(lineItem, path.Field("line_item"));
                    returnedLines.Add(new OrderLine(sku, title, quantity, JsonFields.OptionalMoney(lineItem, "price", path.Field("line_item").Field("price")) ?? 0m));
                }

                i++;
            }
        }

        decimal amount;
        string? currency = null;
        if (TryGet(refund, "transactions", out var transactions) && EnsureArray(transactions, "transactions").GetArrayLength() > 0)
        {
            // Money actually returned is what the successful refund transactions moved; failed or pending ones moved nothing.
            amount = 0m;
            var i = 0;
            foreach (var transaction in transactions.EnumerateArray())
            {
                var path = new FieldPath("transactions").At(i);
                var kind = OptionalStringAt(transaction, "kind", path.Field("kind"));
                var status = OptionalStringAt(transaction, "status", path.Field("status"));
                if (string.Equals(kind, "refund", StringComparison.OrdinalIgnoreCase)
                    && string.Equals(status, "success", StringComparison.OrdinalIgnoreCase))
                {
                    amount += JsonFields.OptionalMoney(transaction, "amount", path.Field("amount"))
                        ?? throw new FieldException($"{path.Field("amount")}: missing on a successful refund transaction");
                    currency ??= OptionalStringAt(transaction, "currency", path.Field("currency"));
                }

                i++;
            }
        }
        else if (hasLineItems)
        {
            amount = RefundLinesAmount(refundLines);
        }
        else
        {
            throw new FieldException("transactions: missing, and no refund_line_items to derive the amount from");
        }

        return new RefundIssued
        {
            Store = store.Store,
            Channel = SalesChannel.Shopify,
            EventId = delivery.WebhookId,
            OccurredAt = occurredAt,
            StoreTimeZone = store.TimeZone,
            Currency = currency ?? store.Currency,
            RefundId = id,
            OrderId = orderId,
            Amount = amount,
            Units = units,
            Lines = returnedLines,
        };
    }

    /// <summary>
    /// Without transactions the refund's worth is its lines: subtotal + total_tax when Shopify sends them, else (as in
    /// Shopify's refund.json fixture) quantity × line_item.price plus the line's tax pro-rated to the refunded quantity.
    /// </summary>
    private static decimal RefundLinesAmount(JsonElement refundLines)
    {
        var total = 0m;
        var i = 0;
        foreach (var item in refundLines.EnumerateArray())
        {
            var path = new FieldPath("refund_line_items").At(i);
            var quantity = RequiredInt(item, "quantity", path.Field("quantity"));
            var subtotal = JsonFields.OptionalMoney(item, "subtotal", path.Field("subtotal"));
            var tax = JsonFields.OptionalMoney(item, "total_tax", path.Field("total_tax"));
            if (subtotal is null || tax is null)
            {
                if (!TryGet(item, "line_item", out var lineItem) || lineItem.ValueKind != JsonValueKind.Object)
                {
                    throw new FieldException($"{path.Field("subtotal")}: missing, and no line_item to derive it from");
                }

                var linePath = path.Field("line_item");
                subtotal ??= quantity * (JsonFields.OptionalMoney(lineItem, "price", linePath.Field("price"))
                    ?? throw new FieldException($"{linePath.Field("price")}: missing"));
                if (tax is null)
                {
                    var lineTax = TryGet(lineItem, "tax_lines", out var taxLines)
                        ? SumArray(taxLines, linePath.Field("tax_lines"), static (t, p) => JsonFields.OptionalMoney(t, "price", p.Field("price")) ?? 0m)
                        : 0m;
                    var lineQuantity = TryGet(lineItem, "quantity", out _) ? RequiredInt(lineItem, "quantity", linePath.Field("quantity")) : quantity;
                    tax = lineQuantity == 0 ? 0m : Math.Round(lineTax * quantity / lineQuantity, 2, MidpointRounding.AwayFromZero);
                }
            }

            total += subtotal.Value + tax.Value;
            i++;
        }

        return total;
    }

    private static List<OrderLine> ReadLines(JsonElement order)
    {
        var lines = new List<OrderLine>();
        if (!TryGet(order, "line_items", out var items))
        {
            return lines;
        }

        EnsureArray(items, "line_items");
        var i = 0;
        foreach (var item in items.EnumerateArray())
        {
            var path = new FieldPath("line_items").At(i);
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new FieldException($"{path}: expected an object but found {item.ValueKind}");
            }

            var (sku, title) = LineIdentity(item, path);
            var quantity = RequiredInt(item, "quantity", path.Field("quantity"));
            var price = JsonFields.OptionalMoney(item, "price", path.Field("price")) ?? throw new FieldException($"{path.Field("price")}: missing");
            lines.Add(new OrderLine(sku, title, quantity, price));
            i++;
        }

        return lines;
    }

    /// <summary>A line's product: its SKU, or its variant or product id when the SKU is blank, and its title.</summary>
    private static (string Sku, string Title) LineIdentity(JsonElement item, FieldPath path)
    {
        var sku = OptionalStringAt(item, "sku", path.Field("sku"));
        if (string.IsNullOrWhiteSpace(sku))
        {
            sku = OptionalIdAt(item, "variant_id", path.Field("variant_id"))
                ?? OptionalIdAt(item, "product_id", path.Field("product_id"))
                ?? string.Empty;
        }

        var title = OptionalStringAt(item, "title", path.Field("title")) ?? OptionalStringAt(item, "name", path.Field("name")) ?? string.Empty;
        return (sku, title);
    }

    private static (string? CustomerId, bool Returning) ReadCustomer(JsonElement order)
    {
        if (!TryGet(order, "customer", out var customer) || customer.ValueKind == JsonValueKind.Null)
        {
            return (null, false);
        }

        if (customer.ValueKind != JsonValueKind.Object)
        {
            throw new FieldException($"customer: expected an object or null but found {customer.ValueKind}");
        }

        var id = OptionalIdAt(customer, "id", "customer.id");
        var ordersCount = TryGet(customer, "orders_count", out _) ? RequiredInt(customer, "orders_count", "customer.orders_count") : 0;
        return (id, ordersCount > 1);
    }

    private static string? CountryCode(JsonElement order, string addressField)
    {
        if (!TryGet(order, addressField, out var address) || address.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var code = OptionalStringAt(address, "country_code", new FieldPath(addressField).Field("country_code"));
        return string.IsNullOrWhiteSpace(code) ? null : code.ToUpperInvariant();
    }

    // --- field readers: every failure names the field, so a rejected delivery can be diagnosed from the log line ---

    private static bool TryGet(JsonElement parent, string name, out JsonElement value)
    {
        if (parent.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        return false;
    }

    private static JsonElement EnsureArray(JsonElement value, FieldPath path) =>
        value.ValueKind == JsonValueKind.Array ? value : throw new FieldException($"{path}: expected an array but found {value.ValueKind}");

    private static decimal SumArray(JsonElement array, FieldPath path, Func<JsonElement, FieldPath, decimal> selector)
    {
        EnsureArray(array, path);
        var sum = 0m;
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            sum += selector(item, path.At(i));
            i++;
        }

        return sum;
    }

    private static string RequiredId(JsonElement parent, string name) =>
        OptionalIdAt(parent, name, name) ?? throw new FieldException($"{name}: missing");

    /// <summary>Shopify ids are JSON numbers (too big for some clients, hence also accepted as strings).</summary>
    private static string? OptionalIdAt(JsonElement parent, string name, FieldPath path)
    {
        if (!TryGet(parent, name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var number) => number.ToString(CultureInfo.InvariantCulture),
            JsonValueKind.String when value.GetString() is { Length: > 0 } text => text,
            _ => throw new FieldException($"{path}: expected a whole number or a non-empty string but found {JsonFields.Describe(value)}"),
        };
    }

    private static int RequiredInt(JsonElement parent, string name, FieldPath path)
    {
        if (!TryGet(parent, name, out var value))
        {
            throw new FieldException($"{path}: missing");
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String
            && int.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw new FieldException($"{path}: expected a whole number but found {JsonFields.Describe(value)}");
    }

    private static decimal RequiredMoney(JsonElement parent, string name) =>
        JsonFields.OptionalMoney(parent, name, name) ?? throw new FieldException($"{name}: missing");

    private static decimal? OptionalMoney(JsonElement parent, string name) => JsonFields.OptionalMoney(parent, name, name);

    /// <summary>An amount two objects down (first.second.name); null when either object is missing.</summary>
    private static decimal? OptionalMoneyAt(JsonElement parent, string first, string second, string name) =>
        TryGet(parent, first, out var outer) && outer.ValueKind == JsonValueKind.Object
        && TryGet(outer, second, out var inner) && inner.ValueKind == JsonValueKind.Object
            ? JsonFields.OptionalMoney(inner, name, new FieldPath(first).Field(second).Field(name))
            : null;

    private static DateTimeOffset RequiredDate(JsonElement parent, string name) =>
        OptionalDate(parent, name) ?? throw new FieldException($"{name}: missing");

    /// <summary>ISO-8601 with an offset; returned in UTC because every event time in the contracts is UTC.</summary>
    private static DateTimeOffset? OptionalDate(JsonElement parent, string name)
    {
        if (!TryGet(parent, name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at.ToUniversalTime();
        }

        throw new FieldException($"{name}: expected an ISO-8601 timestamp but found {JsonFields.Describe(value)}");
    }

    private static string? OptionalString(JsonElement parent, string name)
    {
        var text = OptionalStringAt(parent, name, name);
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    private static string? OptionalStringAt(JsonElement parent, string name, FieldPath path)
    {
        if (!TryGet(parent, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new FieldException($"{path}: expected a string but found {JsonFields.Describe(value)}");
    }
}
