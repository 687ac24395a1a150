using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SalesDash.Connectors.Polling;

namespace SalesDash.Connectors.ShopifyAdmin;

/// <summary>What Shopify granted for a shop: the offline access token and the scopes it carries.</summary>
public sealed record ShopifyGrant(string AccessToken, IReadOnlyList<string> Scopes);

/// <summary>
/// The two Admin API calls an install makes: exchanging the callback's code for an offline access token
/// (POST https://{shop}/admin/oauth/access_token) and subscribing the shop's webhooks through the GraphQL Admin API's
/// webhookSubscriptionCreate (the REST webhook resource is legacy for new public apps). No retries: the merchant is
/// waiting on the page and can install again; a failure says what Shopify answered.
/// </summary>
public sealed class ShopifyAppInstallClient(HttpClient http, string apiVersion)
{
    private const string SubscribeMutation =
        "mutation webhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {"
        + " webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {"
        + " webhookSubscription { id } userErrors { field message } } }";

    /// <exception cref="ChannelAuthException">Shopify refused the code (used, expired, or another app's).</exception>
    /// <exception cref="ChannelResponseException">Shopify answered something else than a token.</exception>
    public async Task<ShopifyGrant> ExchangeCodeAsync(string shopDomain, string clientId, string clientSecret, string code, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(new Uri($"https://{shopDomain}/admin/oauth/access_token"),
            new { client_id = clientId, client_secret = clientSecret, code }, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new ChannelAuthException($"Shopify refused the authorization code (HTTP {(int)response.StatusCode}: {ChannelHttp.Excerpt(body)}); install the app again.");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new ChannelResponseException($"Shopify's token endpoint answered HTTP {(int)response.StatusCode}: {ChannelHttp.Excerpt(body)}", (int)response.StatusCode);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var token = document.RootElement.TryGetProperty("access_token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (string.IsNullOrEmpty(token))
            {
                throw new ChannelResponseException($"Shopify's token endpoint answered without an access_token: {ChannelHttp.Excerpt(body)}");
            }

            var scopes = document.RootElement.TryGetProperty("scope", out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [];
            return new ShopifyGrant(token, scopes);
        }
        catch (JsonException)
        {
            throw new ChannelResponseException($"Shopify's token endpoint answered something other than JSON: {ChannelHttp.Excerpt(body)}");
        }
    }

    /// <summary>
    /// Subscribes <paramref name="topic"/> (e.g. "orders/create") to <paramref name="callbackUrl"/>. A subscription that
    /// already exists (a reinstall) is what we wanted, so "already taken" is success.
    /// </summary>
    /// <exception cref="ChannelAuthException">The token was refused.</exception>
    /// <exception cref="ChannelResponseException">Shopify refused the subscription (its userErrors are in the message).</exception>
    public async Task SubscribeAsync(string shopDomain, string accessToken, string topic, Uri callbackUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(callbackUrl);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"https://{shopDomain}/admin/api/{apiVersion}/graphql.json"))
        {
            Content = JsonContent.Create(new
            {
                query = SubscribeMutation,
                variables = new { topic = GraphQlTopic(topic), webhookSubscription = new { callbackUrl = callbackUrl.ToString(), format = "JSON" } },
            }),
        };
        request.Headers.Add("X-Shopify-Access-Token", accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new ChannelAuthException($"Shopify refused the access token when subscribing {topic} (HTTP {(int)response.StatusCode}).");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new ChannelResponseException($"Subscribing {topic} answered HTTP {(int)response.StatusCode}: {ChannelHttp.Excerpt(body)}", (int)response.StatusCode);
        }

        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
        {
            throw new ChannelResponseException($"Subscribing {topic} failed: {ChannelHttp.Excerpt(errors.GetRawText())}");
        }

        if (!root.TryGetProperty("data", out var data) || !data.TryGetProperty("webhookSubscriptionCreate", out var result) || result.ValueKind != JsonValueKind.Object)
        {
            throw new ChannelResponseException($"Subscribing {topic} answered without a webhookSubscriptionCreate result: {ChannelHttp.Excerpt(body)}");
        }

        var messages = result.TryGetProperty("userErrors", out var userErrors) && userErrors.ValueKind == JsonValueKind.Array
            ? userErrors.EnumerateArray().Select(e => e.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "").ToList()
            : [];
        if (messages.Count > 0 && !messages.All(m => m.Contains("already been taken", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ChannelResponseException($"Shopify refused the {topic} subscription: {string.Join("; ", messages)}");
        }
    }

    /// <summary>"orders/create" → ORDERS_CREATE, the GraphQL WebhookSubscriptionTopic enum's spelling.</summary>
    public static string GraphQlTopic(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return topic.Replace('/', '_').ToUpperInvariant();
    }
}
