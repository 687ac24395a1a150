using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace SalesDash.Web.Tests.Hosting;

/// <summary>An order as the test knows it; the oracle adds these up without any SalesDash code.</summary>
public sealed record TestOrder(long Id, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, decimal TotalPrice, int Units, long? CustomerId, int CustomerOrdersCount)
{
    public bool Returning => CustomerId is not null && CustomerOrdersCount > 1;

    public byte[] ToJson(string currency)
    {
        var price = TotalPrice.ToString("F2", CultureInfo.InvariantCulture);
        var unitPrice = Math.Round(TotalPrice / Units, 2).ToString("F2", CultureInfo.InvariantCulture);
        var order = new JsonObject
        {
            ["id"] = Id,
            ["name"] = $"#{Id}",
            ["created_at"] = CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["updated_at"] = UpdatedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["currency"] = currency,
            ["total_price"] = price,
            ["subtotal_price"] = price,
            ["total_tax"] = "0.00",
            ["line_items"] = new JsonArray(new JsonObject
            {
                ["sku"] = $"SKU-{Id % 17}",
                ["title"] = "Test item",
                ["quantity"] = Units,
                ["price"] = unitPrice,
            }),
            ["customer"] = CustomerId is { } id ? new JsonObject { ["id"] = id, ["orders_count"] = CustomerOrdersCount } : null,
        };
        return Encoding.UTF8.GetBytes(order.ToJsonString());
    }
}

/// <summary>Posts webhooks the way Shopify does, signing with HMAC-SHA256 independently of the product's code.</summary>
public static class ShopifyPayloads
{
    public static string Sign(string secret, byte[] body) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static HttpRequestMessage Webhook(TestStore store, string topic, byte[] body, string? webhookId = null, string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/shopify") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Shopify-Topic", topic);
        request.Headers.Add("X-Shopify-Shop-Domain", store.ShopDomain);
        request.Headers.Add("X-Shopify-Webhook-Id", webhookId ?? Guid.NewGuid().ToString());
        request.Headers.Add("X-Shopify-Hmac-Sha256", signature ?? Sign(store.WebhookSecret, body));
        request.Headers.Add("X-Shopify-API-Version", "2025-10");
        return request;
    }

    public static byte[] Refund(long refundId, long orderId, DateTimeOffset at, decimal amount, int units)
    {
        var refund = new JsonObject
        {
            ["id"] = refundId,
            ["order_id"] = orderId,
            ["created_at"] = at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["processed_at"] = at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["refund_line_items"] = new JsonArray(new JsonObject { ["quantity"] = units, ["subtotal"] = amount.ToString("F2", CultureInfo.InvariantCulture) }),
            ["transactions"] = new JsonArray(new JsonObject
            {
                ["kind"] = "refund",
                ["status"] = "success",
                ["amount"] = amount.ToString("F2", CultureInfo.InvariantCulture),
            }),
        };
        return Encoding.UTF8.GetBytes(refund.ToJsonString());
    }
}
