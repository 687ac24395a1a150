using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace SalesDash.Bench;

/// <summary>An orders/create delivery as Shopify sends it: the raw JSON body and its HMAC signature.</summary>
public sealed record ShopifyOrderWebhook(string WebhookId, byte[] Body, string Signature, decimal TotalPrice)
{
    /// <summary>
    /// An order of <paramref name="totalPrice"/>; with <paramref name="bodyBytes"/> above the bare order's size, a
    /// <c>note</c> pads the body to about that size, since real orders (addresses, line items, tax lines) run to
    /// several kilobytes and reading, signing and parsing them is part of the cost measured.
    /// </summary>
    public static ShopifyOrderWebhook Create(long orderId, decimal totalPrice, DateTimeOffset createdAt, string secret, int bodyBytes = 0)
    {
        var at = createdAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
        var price = totalPrice.ToString("F2", CultureInfo.InvariantCulture);
        var json = new JsonObject
        {
            ["id"] = orderId,
            ["created_at"] = at,
            ["updated_at"] = at,
            ["currency"] = "USD",
            ["total_price"] = price,
            ["subtotal_price"] = price,
            ["total_tax"] = "0.00",
            ["line_items"] = new JsonArray(new JsonObject { ["sku"] = $"BENCH-{orderId % 50}", ["title"] = "Bench item", ["quantity"] = 1, ["price"] = price }),
            ["customer"] = null,
        };
        var bare = Encoding.UTF8.GetByteCount(json.ToJsonString());
        // ',"note":""' adds 10 bytes around the padding itself.
        if (bodyBytes > bare + 10)
        {
            json["note"] = new string('x', bodyBytes - bare - 10);
        }

        var body = Encoding.UTF8.GetBytes(json.ToJsonString());
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
        return new ShopifyOrderWebhook($"bench-{orderId}-{Guid.NewGuid():N}", body, signature, totalPrice);
    }

    public HttpRequestMessage ToRequest(string shopDomain)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("webhooks/shopify", UriKind.Relative)) { Content = new ByteArrayContent(Body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Shopify-Topic", "orders/create");
        request.Headers.Add("X-Shopify-Shop-Domain", shopDomain);
        request.Headers.Add("X-Shopify-Webhook-Id", WebhookId);
        request.Headers.Add("X-Shopify-Hmac-Sha256", Signature);
        return request;
    }
}
