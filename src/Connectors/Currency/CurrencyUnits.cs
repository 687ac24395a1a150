namespace SalesDash.Connectors.Currency;

/// <summary>How many decimal places a currency's minor unit has (ISO 4217), for channels that send integer minor units.</summary>
public static class CurrencyUnits
{
    // Stripe's list of zero-decimal currencies (docs: "Zero-decimal currencies"); amounts are sent as whole units.
    private static readonly HashSet<string> ZeroDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    };

    // ISO 4217 currencies with three decimals (Stripe's "Three-decimal currencies").
    private static readonly HashSet<string> ThreeDecimal = new(StringComparer.OrdinalIgnoreCase) { "BHD", "JOD", "KWD", "OMR", "TND" };

    public static int Decimals(string currency) =>
        ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;

    /// <summary>An integer amount in minor units (Stripe's "amount": 1099 = 10.99 USD, 1099 = 1099 JPY) as a decimal amount.</summary>
    public static decimal FromMinorUnits(long amount, string currency) => amount / Pow10(Decimals(currency));

    /// <summary>An amount rounded to what the currency can hold.</summary>
    public static decimal Round(decimal amount, string currency) =>
        Math.Round(amount, Decimals(currency), MidpointRounding.AwayFromZero);

    private static decimal Pow10(int exponent) => exponent switch { 0 => 1m, 3 => 1000m, _ => 100m };
}
