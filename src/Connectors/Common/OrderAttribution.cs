using System.Security.Cryptography;
using System.Text;

namespace SalesDash.Connectors.Common;

/// <summary>UTM tags read from an order's landing page, lower-cased so "Facebook" and "facebook" are one source.</summary>
public sealed record UtmTags(string? Source, string? Medium, string? Campaign);

/// <summary>
/// What the normalisers need to attribute an order: the UTM tags of its landing page and the customer's hashed e-mail.
/// Shared, so every channel hashes and parses the same way and a customer matches across them.
/// </summary>
public static class OrderAttribution
{
    /// <summary>
    /// Lower-case hex SHA-256 of the trimmed, lower-cased address (the normalisation ad platforms use for matching);
    /// null for a missing or blank address. The plain address goes no further than this call.
    /// </summary>
    public static string? HashEmail(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }

        var normalised = email.Trim().ToLowerInvariant();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
    }

    /// <summary>The utm_source, utm_medium and utm_campaign of a landing page given as a URL or as a path with a query.</summary>
    public static UtmTags ParseUtm(string? landingSite)
    {
        if (string.IsNullOrWhiteSpace(landingSite))
        {
            return new UtmTags(null, null, null);
        }

        var query = landingSite.IndexOf('?', StringComparison.Ordinal) is var at and >= 0 ? landingSite[(at + 1)..] : string.Empty;
        var fragment = query.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0)
        {
            query = query[..fragment];
        }

        string? source = null, medium = null, campaign = null;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var key = Decode(pair[..equals]).ToLowerInvariant();
            var value = Decode(pair[(equals + 1)..]).Trim();
            if (value.Length == 0)
            {
                continue;
            }

            // The first occurrence wins, as browsers' URLSearchParams.get does.
            switch (key)
            {
                case "utm_source":
                    source ??= value.ToLowerInvariant();
                    break;
                case "utm_medium":
                    medium ??= value.ToLowerInvariant();
                    break;
                case "utm_campaign":
                    campaign ??= value;
                    break;
            }
        }

        return new UtmTags(source, medium, campaign);
    }

    private static string Decode(string text)
    {
        try
        {
            return Uri.UnescapeDataString(text.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return text;
        }
    }
}
