using System.Diagnostics.CodeAnalysis;

namespace SalesDash.Connectors.Shopify;

/// <summary>
/// A Shopify shop's permanent domain: one host label (letters, digits, inner hyphens, at most 63) followed by
/// ".myshopify.com", nothing else. The backfill poller calls https://{domain}/admin/..., so anything looser (a port,
/// a path, a user part, another host) would let a tenant aim the server's requests anywhere.
/// </summary>
public static class ShopifyShopDomain
{
    private const string Suffix = ".myshopify.com";

    /// <summary>The lower-case domain when <paramref name="text"/> is a valid shop domain; false otherwise.</summary>
    public static bool TryNormalise(string? text, [NotNullWhen(true)] out string? domain)
    {
        domain = null;
        var candidate = text?.Trim().ToLowerInvariant();
        if (candidate is null || !candidate.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return false;
        }

        var label = candidate[..^Suffix.Length];
        if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            return false;
        }

        domain = candidate;
        return true;
    }

    /// <summary>The message a caller shows when a domain is refused.</summary>
    public static string Rule(string? text) => $"'{text}' is not a Shopify shop domain: use the shop's permanent name, e.g. my-shop.myshopify.com.";
}
