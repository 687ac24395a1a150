using System.Security.Cryptography;
using System.Text;

namespace SalesDash.Connectors.ShopifyAdmin;

/// <summary>
/// Shopify's authorization code grant for a public (non-embedded) app: the authorize URL the merchant is sent to, and
/// the check of the query Shopify redirects back with (hmac = hex HMAC-SHA256, keyed with the app's client secret, of
/// every other parameter sorted by name and joined as name=value with '&amp;').
/// </summary>
public static class ShopifyAppOAuth
{
    /// <summary>The webhook topics an install subscribes to: the order events the dashboard counts, and the uninstall.</summary>
    public static IReadOnlyList<string> WebhookTopics { get; } =
        ["orders/create", "orders/updated", "orders/cancelled", "refunds/create", AppUninstalledTopic];

    public const string AppUninstalledTopic = "app/uninstalled";

    /// <summary>https://{shop}/admin/oauth/authorize with the app's id, the scopes, where to come back and the state nonce (offline token: no grant_options).</summary>
    public static Uri AuthorizeUrl(string shopDomain, string clientId, string scopes, Uri redirectUri, string state)
    {
        ArgumentNullException.ThrowIfNull(redirectUri);
        var query = string.Join('&',
            "client_id=" + Uri.EscapeDataString(clientId),
            "scope=" + Uri.EscapeDataString(scopes),
            "redirect_uri=" + Uri.EscapeDataString(redirectUri.ToString()),
            "state=" + Uri.EscapeDataString(state));
        return new Uri($"https://{shopDomain}/admin/oauth/authorize?{query}");
    }

    /// <summary>The hmac Shopify would send with these (decoded) query parameters; "hmac" itself is left out if present.</summary>
    public static string Sign(IEnumerable<KeyValuePair<string, string>> query, string clientSecret)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(clientSecret);
        var message = string.Join('&', query
            .Where(p => !string.Equals(p.Key, "hmac", StringComparison.Ordinal))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(clientSecret), Encoding.UTF8.GetBytes(message)));
    }

    /// <summary>
    /// Whether the callback's hmac matches the other parameters; a missing or repeated hmac is not valid. Compared in
    /// constant time, so timing reveals nothing about the secret.
    /// </summary>
    public static bool IsValidCallback(IReadOnlyList<KeyValuePair<string, string>> query, string clientSecret)
    {
        ArgumentNullException.ThrowIfNull(query);
        var presented = query.Where(p => p.Key == "hmac").Select(p => p.Value).ToList();
        if (presented.Count != 1 || string.IsNullOrEmpty(clientSecret))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(query, clientSecret));
        var given = Encoding.ASCII.GetBytes(presented[0].ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
