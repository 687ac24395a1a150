namespace SalesDash.Connectors.Currency;

/// <summary>One published rate: <see cref="Rate"/> units of <see cref="To"/> buy one unit of <see cref="From"/> on <see cref="Date"/>.</summary>
/// <param name="Source">Who published it (e.g. "ECB reference rate"), shown beside every converted figure.</param>
public sealed record ExchangeRate(string From, string To, DateOnly Date, decimal Rate, string Source);

/// <summary>The rates table: daily rates between currency pairs, each with its own date and source.</summary>
public interface IExchangeRates
{
    /// <summary>
    /// The rate for <paramref name="from"/> → <paramref name="to"/> that applies on <paramref name="date"/>: the latest
    /// one dated on or before it, read directly or as the inverse of the opposite pair. Null when none is known.
    /// </summary>
    Task<ExchangeRate?> FindAsync(string from, string to, DateOnly date, CancellationToken cancellationToken);

    /// <summary>Adds the rate or replaces the one with the same pair and date.</summary>
    Task UpsertAsync(ExchangeRate rate, CancellationToken cancellationToken);

    Task<IReadOnlyList<ExchangeRate>> ListAsync(CancellationToken cancellationToken);
}
