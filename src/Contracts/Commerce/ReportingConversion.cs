namespace SalesDash.Contracts.Commerce;

/// <summary>
/// How an event's money reads in its organisation's reporting currency: every amount of the event
/// (in <see cref="CommerceEvent.Currency"/>, the store currency) times <see cref="Rate"/>. The rate's date and
/// source travel with it so a figure can always be traced to the rate that produced it.
/// </summary>
/// <param name="Currency">The organisation's reporting currency (ISO 4217).</param>
/// <param name="Rate">Units of <paramref name="Currency"/> per one unit of the event's currency.</param>
/// <param name="RateDate">The day the rate applies to (the latest one on or before the event's day).</param>
/// <param name="RateSource">Where the rate came from, e.g. "ECB reference rate" or "identity".</param>
public sealed record ReportingConversion(string Currency, decimal Rate, DateOnly RateDate, string RateSource)
{
    /// <summary>An amount of the event's currency in the reporting currency, rounded to cents as money is shown.</summary>
    public decimal Convert(decimal amount) => Math.Round(amount * Rate, 2, MidpointRounding.AwayFromZero);
}
