using Microsoft.EntityFrameworkCore;
using SalesDash.Connectors.Currency;
using SalesDash.Web.Identity;

namespace SalesDash.Web.AppData;

/// <summary>The rates table in the app database; rates are decimals, so no digit is lost.</summary>
public sealed class EfExchangeRates(IDbContextFactory<AppIdentityDbContext> databases) : IExchangeRates
{
    /// <summary>Ten places keeps an inverted rate exact to far below a cent on any realistic amount.</summary>
    private const int InverseDecimals = 10;

    public async Task<ExchangeRate?> FindAsync(string from, string to, DateOnly date, CancellationToken cancellationToken)
    {
        from = Normalize(from);
        to = Normalize(to);
        if (from == to)
        {
            return new ExchangeRate(from, to, date, 1m, "identity");
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var direct = await LatestAsync(db, from, to, date, cancellationToken);
        var inverse = await LatestAsync(db, to, from, date, cancellationToken);

        // The newer of the two wins: a fresh GBP→EUR rate says more about today than last month's EUR→GBP.
        if (direct is not null && (inverse is null || direct.Date >= inverse.Date))
        {
            return direct;
        }

        return inverse is null || inverse.Rate == 0m
            ? null
            : new ExchangeRate(from, to, inverse.Date, Math.Round(1m / inverse.Rate, InverseDecimals), $"{inverse.Source} (inverse of {to}/{from})");
    }

    public async Task UpsertAsync(ExchangeRate rate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rate);
        if (rate.Rate <= 0m)
        {
            throw new ArgumentException($"The {rate.From}/{rate.To} rate must be positive, not {rate.Rate}.", nameof(rate));
        }

        var from = Normalize(rate.From);
        var to = Normalize(rate.To);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);

        // One statement, so two nodes seeding the same rate at start never collide on the insert.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "ExchangeRates" ("FromCurrency", "ToCurrency", "RateDate", "Rate", "Source") VALUES ({from}, {to}, {rate.Date}, {rate.Rate}, {rate.Source})
            ON CONFLICT ("FromCurrency", "ToCurrency", "RateDate") DO UPDATE SET "Rate" = excluded."Rate", "Source" = excluded."Source"
            """, cancellationToken);
    }

    public async Task<IReadOnlyList<ExchangeRate>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<ExchangeRateRow>().AsNoTracking()
            .OrderBy(r => r.FromCurrency).ThenBy(r => r.ToCurrency).ThenBy(r => r.RateDate).ToListAsync(cancellationToken);
        return [.. rows.Select(ToRate)];
    }

    private static async Task<ExchangeRate?> LatestAsync(AppIdentityDbContext db, string from, string to, DateOnly date, CancellationToken cancellationToken)
    {
        var row = await db.Set<ExchangeRateRow>().AsNoTracking()
            .Where(r => r.FromCurrency == from && r.ToCurrency == to && r.RateDate <= date)
            .OrderByDescending(r => r.RateDate).FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : ToRate(row);
    }

    private static ExchangeRate ToRate(ExchangeRateRow row) => new(row.FromCurrency, row.ToCurrency, row.RateDate, row.Rate, row.Source);

    private static string Normalize(string currency)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(currency);
        return currency.Trim().ToUpperInvariant();
    }
}
