namespace SalesDash.Connectors.Shopify;

/// <summary>The HTTP headers Shopify sends with every webhook delivery.</summary>
public static class ShopifyHeaders
{
    public const string Topic = "X-Shopify-Topic";
    public const string HmacSha256 = "X-Shopify-Hmac-Sha256";
    public const string ShopDomain = "X-Shopify-Shop-Domain";

    /// <summary>Unique per delivery and repeated on retries, so it is the dedupe key.</summary>
    public const string WebhookId = "X-Shopify-Webhook-Id";

    public const string TriggeredAt = "X-Shopify-Triggered-At";
    public const string ApiVersion = "X-Shopify-API-Version";
}

/// <summary>The webhook topics SalesDash turns into commerce events.</summary>
public static class ShopifyTopics
{
    public const string OrdersCreate = "orders/create";
    public const string OrdersUpdated = "orders/updated";
    public const string OrdersCancelled = "orders/cancelled";
    public const string RefundsCreate = "refunds/create";
}
