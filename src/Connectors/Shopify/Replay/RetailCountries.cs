namespace SalesDash.Connectors.Shopify.Replay;

/// <summary>ISO 3166-1 alpha-2 codes for the country names the Online Retail data set uses.</summary>
internal static class RetailCountries
{
    // The names are the data set's own ("EIRE", "RSA", "USA"). "Channel Islands", "European Community" and
    // "Unspecified" are not single countries, so they have no code and the address gets country_code null.
    private static readonly Dictionary<string, string> Codes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["United Kingdom"] = "GB", ["EIRE"] = "IE", ["Germany"] = "DE", ["France"] = "FR", ["Netherlands"] = "NL",
        ["Spain"] = "ES", ["Switzerland"] = "CH", ["Belgium"] = "BE", ["Portugal"] = "PT", ["Norway"] = "NO",
        ["Australia"] = "AU", ["Italy"] = "IT", ["Finland"] = "FI", ["Denmark"] = "DK", ["Cyprus"] = "CY",
        ["Sweden"] = "SE", ["Austria"] = "AT", ["Israel"] = "IL", ["Poland"] = "PL", ["Japan"] = "JP",
        ["Iceland"] = "IS", ["USA"] = "US", ["Singapore"] = "SG", ["Greece"] = "GR", ["Canada"] = "CA",
        ["Malta"] = "MT", ["United Arab Emirates"] = "AE", ["Hong Kong"] = "HK", ["RSA"] = "ZA", ["Lebanon"] = "LB",
        ["Lithuania"] = "LT", ["Bahrain"] = "BH", ["Saudi Arabia"] = "SA", ["Czech Republic"] = "CZ", ["Brazil"] = "BR",
    };

    public static string? CodeFor(string countryName) => Codes.GetValueOrDefault(countryName.Trim());
}
