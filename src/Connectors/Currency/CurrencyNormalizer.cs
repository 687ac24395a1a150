using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Currency;

/// <summary>No rate is known to turn an event's currency into its store's; the event cannot be counted yet.</summary>
public sealed class MissingExchangeRateException(string from, string to, DateOnly date)
    : Exception($"No {from}→{to} exchange rate is known for {date:yyyy-MM-dd} or earlier; add one to the rates table.")
{
    public string From { get; } = from;
    public string To { get; } = to;
    public DateOnly Date { get; } = date;
}

/// <summary>
/// Puts a connector's event into the money the dashboard adds up: amounts in the store's currency (converted when the
/// channel sold in another, e.g. an Amazon EU marketplace for a GBP store), plus the conversion into the organisation's
/// reporting currency. Tiles sum amounts per store, so an event in a foreign currency must never reach them unconverted.
/// </summary>
public sealed class CurrencyNormalizer(IExchangeRates rates)
{
    /// <param name="storeCurrency">The currency the store's figures are kept in.</param>
    /// <param name="reportingCurrency">The organisation's reporting currency; null when none is set.</param>
    /// <exception cref="MissingExchangeRateException">The event is in another currency and no rate is known for its day.</exception>
    public async Task<CommerceEvent> NormalizeAsync(CommerceEvent commerceEvent, string storeCurrency, string? reportingCurrency, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        ArgumentException.ThrowIfNullOrWhiteSpace(storeCurrency);
        storeCurrency = storeCurrency.Trim().ToUpperInvariant();
        var day = DateOnly.FromDateTime(commerceEvent.OccurredAt.UtcDateTime);
        var source = string.IsNullOrWhiteSpace(commerceEvent.Currency) ? storeCurrency : commerceEvent.Currency.Trim().ToUpperInvariant();

        if (source == storeCurrency && string.IsNullOrWhiteSpace(reportingCurrency)
            && string.Equals(commerceEvent.Currency, storeCurrency, StringComparison.Ordinal) && commerceEvent.Reporting is null)
        {
            // The usual event: in its store's currency, for an organisation without a reporting currency. Records are
            // immutable, so it goes on as it is: two copies of a 30-field record a webhook were for nothing.
            return commerceEvent;
        }

        var inStore = commerceEvent with { Currency = storeCurrency };
        if (source != storeCurrency)
        {
            var rate = await rates.FindAsync(source, storeCurrency, day, cancellationToken)
                ?? throw new MissingExchangeRateException(source, storeCurrency, day);
            inStore = Scale(commerceEvent, rate.Rate, storeCurrency) with { Currency = storeCurrency };
        }

        if (string.IsNullOrWhiteSpace(reportingCurrency))
        {
            return inStore with { Reporting = null };
        }

        var reporting = reportingCurrency.Trim().ToUpperInvariant();
        var toReporting = await rates.FindAsync(storeCurrency, reporting, day, cancellationToken);
        return inStore with
        {
            Reporting = toReporting is null ? null : new ReportingConversion(reporting, toReporting.Rate, toReporting.Date, toReporting.Source),
        };
    }

    private static CommerceEvent Scale(CommerceEvent commerceEvent, decimal rate, string currency)
    {
        decimal M(decimal amount) => CurrencyUnits.Round(amount * rate, currency);
        IReadOnlyList<OrderLine> Lines(IReadOnlyList<OrderLine> lines) => lines.Select(l => l with { UnitPrice = M(l.UnitPrice) }).ToList();

        return commerceEvent switch
        {
            OrderEvent order => order with
            {
                TotalPrice = M(order.TotalPrice),
                SubtotalPrice = M(order.SubtotalPrice),
                TotalTax = M(order.TotalTax),
                TotalDiscounts = M(order.TotalDiscounts),
                TotalShipping = M(order.TotalShipping),
                Lines = Lines(order.Lines),
            },
            RefundIssued refund => refund with { Amount = M(refund.Amount) },
            AdSpendRecorded spend => spend with { Spend = M(spend.Spend) },
            _ => commerceEvent,
        };
    }
}
