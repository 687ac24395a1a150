using System.Collections.Concurrent;
using SalesDash.Connectors.Currency;

namespace SalesDash.Engine.Ingestion;

/// <summary>
/// The rates the ingestion door converts with, each remembered for a short while. Without it every event of a store
/// that sells in another currency than its own, or of an organisation with a reporting currency, read the rates table
/// for each conversion (a rate and its inverse: two queries of the app database per webhook), though a day's rate
/// rarely changes and every order of the day asks for the same one. Only rates found are remembered: a missing rate
/// that an Admin then adds is used by the very next delivery, as the 422 the sender got says. A rate written through
/// this service (the daily refresh, an Admin's edit) is used by this node's next conversion at once; another node
/// uses it at the latest <see cref="TimeToLive"/> later, as if the write had reached it that much later.
/// </summary>
public sealed class RecentExchangeRates(IExchangeRates inner, TimeProvider time) : IExchangeRates
{
    /// <summary>How long a rate read is used before it is read again: seconds, next to a rates table that changes daily.</summary>
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(30);

    /// <summary>Pairs × days held at most; an import spanning years of days stays far below it, and beyond it the memory starts over.</summary>
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<(string From, string To, DateOnly Date), Entry> _found = new();

    public async Task<ExchangeRate?> FindAsync(string from, string to, DateOnly date, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(from);
        ArgumentException.ThrowIfNullOrWhiteSpace(to);
        var key = (from.Trim().ToUpperInvariant(), to.Trim().ToUpperInvariant(), date);
        var now = time.GetUtcNow();
        if (_found.TryGetValue(key, out var entry) && entry.ExpiresAt > now)
        {
            return entry.Rate;
        }

        var rate = await inner.FindAsync(from, to, date, cancellationToken);
        if (rate is null)
        {
            _found.TryRemove(key, out _);
            return null;
        }

        if (_found.Count >= MaxEntries)
        {
            _found.Clear();
        }

        _found[key] = new Entry(rate, now + TimeToLive);
        return rate;
    }

    /// <summary>Writes through, and forgets the pair both ways on this node so its next conversion reads the new rate.</summary>
    public async Task UpsertAsync(ExchangeRate rate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rate);
        await inner.UpsertAsync(rate, cancellationToken);
        var from = rate.From.Trim().ToUpperInvariant();
        var to = rate.To.Trim().ToUpperInvariant();
        foreach (var key in _found.Keys.Where(k => (k.From == from && k.To == to) || (k.From == to && k.To == from)))
        {
            _found.TryRemove(key, out _);
        }
    }

    public Task<IReadOnlyList<ExchangeRate>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    private sealed record Entry(ExchangeRate Rate, DateTimeOffset ExpiresAt);
}
