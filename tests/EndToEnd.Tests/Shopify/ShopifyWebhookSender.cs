using System.Security.Cryptography;
using System.Text;
using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.Shopify;

/// <summary>Posts orders/create webhooks the way Shopify does: raw JSON body signed with the store's secret.</summary>
public sealed class ShopifyWebhookSender(HttpClient http)
{
    public Task<HttpResponseMessage> PostOrderCreatedAsync(TestStore store, ShopifyOrder order, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(order.ToJson());
        return PostAsync(store, body, Sign(store.WebhookSecret, body), cancellationToken);
    }

    /// <summary>Posts <paramref name="body"/> with whatever signature header the caller gives, valid or not.</summary>
    public async Task<HttpResponseMessage> PostAsync(TestStore store, byte[] body, string signature, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("webhooks/shopify", UriKind.Relative))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Shopify-Topic", "orders/create");
        request.Headers.Add("X-Shopify-Shop-Domain", store.ShopDomain);
        request.Headers.Add("X-Shopify-Webhook-Id", Guid.NewGuid().ToString());
        request.Headers.Add("X-Shopify-Hmac-Sha256", signature);
        return await http.SendAsync(request, cancellationToken);
    }

    /// <summary>base64(HMAC-SHA256(secret, raw body)), Shopify's X-Shopify-Hmac-Sha256.</summary>
    public static string Sign(string secret, byte[] body) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
