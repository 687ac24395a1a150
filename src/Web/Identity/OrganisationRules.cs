using System.Globalization;
using System.Text;

namespace SalesDash.Web.Identity;

/// <summary>What makes an organisation's name, time zone and currency acceptable, and how its id is made.</summary>
public static class OrganisationRules
{
    private static readonly Lazy<HashSet<string>> Currencies = new(() => CultureInfo.GetCultures(CultureTypes.SpecificCultures)
        .Select(c =>
        {
            try
            {
                return new RegionInfo(c.Name).ISOCurrencySymbol;
            }
            catch (ArgumentException)
            {
                return null;
            }
        })
        .Where(code => code is { Length: 3 })
        .Select(code => code!)
        .ToHashSet(StringComparer.Ordinal));

    /// <summary>An IANA zone id (Europe/London), not a Windows one, that this machine knows.</summary>
    public static bool IsIanaTimeZone(string? zone) =>
        !string.IsNullOrWhiteSpace(zone) && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var found) && found.HasIanaId;

    /// <summary>An ISO 4217 code of a currency some country uses (GBP, EUR, USD …).</summary>
    public static bool IsCurrency(string? code) => code is { Length: 3 } && Currencies.Value.Contains(code.ToUpperInvariant());

    /// <summary>Problems with the given settings, by field, for a 400 validation problem; empty when all are fine.</summary>
    public static Dictionary<string, string[]> Validate(string? name, string? timeZone, string? currency)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)
        {
            errors["organisationName"] = ["Give the organisation a name of 1 to 100 characters."];
        }

        if (!IsIanaTimeZone(timeZone))
        {
            errors["timeZone"] = [$"'{timeZone}' is not an IANA time zone such as Europe/London or America/New_York."];
        }

        if (!IsCurrency(currency))
        {
            errors["reportingCurrency"] = [$"'{currency}' is not an ISO 4217 currency code such as GBP, EUR or USD."];
        }

        return errors;
    }

    /// <summary>lower-case letters, digits and single dashes from the name; "org" when nothing is left.</summary>
    public static string Slug(string name)
    {
        var slug = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormD).ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                slug.Append(c);
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var result = slug.ToString().Trim('-');
        if (result.Length > 40)
        {
            result = result[..40].TrimEnd('-');
        }

        return result.Length == 0 ? "org" : result;
    }
}
