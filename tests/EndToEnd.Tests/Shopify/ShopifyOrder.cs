using System.Globalization;
using System.Text.Json.Nodes;

namespace SalesDash.EndToEnd.Tests.Shopify;

/// <summary>
/// An order as Shopify's orders/create webhook sends it, reduced to the fields SalesDash reads.
/// Money goes out as strings with two decimals, as Shopify writes it.
/// </summary>
public sealed record ShopifyOrder(long Id, decimal TotalPrice, DateTimeOffset CreatedAt, long? CustomerId = null, int CustomerOrdersCount = 1)
{
    public string ToJson()
    {
        var createdAt = CreatedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
        var price = TotalPrice.ToString("F2", CultureInfo.InvariantCulture);
        var order = new JsonObject
        {
            ["id"] = Id,
            ["name"] = $"#{Id}",
            ["created_at"] = createdAt,
            ["updated_at"] = createdAt,
            ["currency"] = "USD",
            ["total_price"] = price,
            ["subtotal_price"] = price,
            ["total_tax"] = "0.00",
            ["line_items"] = new JsonArray(new JsonObject
            {
                ["sku"] = $"SKU-{Id}",
                ["title"] = $"Item of order {Id}",
                ["quantity"] = 1,
                ["price"] = price,
            }),
            ["customer"] = CustomerId is { } customerId
                ? new JsonObject { ["id"] = customerId, ["orders_count"] = CustomerOrdersCount }
                : null,
        };
        return order.ToJsonString();
    }
}
