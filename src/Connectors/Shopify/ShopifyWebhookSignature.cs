using System.Security.Cryptography;
using System.Text;

namespace SalesDash.Connectors.Shopify;

/// <summary>
/// Shopify's webhook signature: X-Shopify-Hmac-Sha256 = base64(HMAC-SHA256(key = app secret, message = raw body)).
/// </summary>
public static class ShopifyWebhookSignature
{
    private const int HmacSha256Length = 32;

    // Shopify's secrets are tens of bytes; a longer one is hashed from the heap rather than a large stack frame.
    private const int MaxStackKeyBytes = 256;

    /// <summary>The header value Shopify would send for this body and secret.</summary>
    public static string Compute(ReadOnlySpan<byte> rawBody, string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        Span<byte> mac = stackalloc byte[HmacSha256Length];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), rawBody, mac);
        return Convert.ToBase64String(mac);
    }

    /// <summary>
    /// True when <paramref name="headerValue"/> is the signature of <paramref name="rawBody"/>; a missing or
    /// malformed header is simply not valid. Compared in constant time so timing reveals nothing about the secret.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> rawBody, string? headerValue, string secret)
    {
        if (string.IsNullOrWhiteSpace(headerValue) || string.IsNullOrEmpty(secret))
        {
            return false;
        }

        Span<byte> presented = stackalloc byte[HmacSha256Length + 3];
        if (!Convert.TryFromBase64String(headerValue.Trim(), presented, out var written) || written != HmacSha256Length)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HmacSha256Length];
        // The key on the stack: every delivery is checked, and the secret's bytes were an array a webhook.
        var keyLength = Encoding.UTF8.GetByteCount(secret);
        Span<byte> key = keyLength <= MaxStackKeyBytes ? stackalloc byte[keyLength] : new byte[keyLength];
        Encoding.UTF8.GetBytes(secret, key);
        HMACSHA256.HashData(key, rawBody, expected);
        return CryptographicOperations.FixedTimeEquals(expected, presented[..HmacSha256Length]);
    }
}
