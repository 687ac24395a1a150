using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SalesDash.Connectors.Currency;

/// <summary>The rates table in a SQLite file; rates are stored as text so no digit of a decimal is lost.</summary>
public sealed class SqliteExchangeRates : IExchangeRates
{
    private const string CreateTable = """
        CREATE TABLE IF NOT EXISTS exchange_rates (
            from_currency TEXT NOT NULL,
            to_currency TEXT NOT NULL,
            rate_date TEXT NOT NULL,
            rate TEXT NOT NULL,
            source TEXT NOT NULL,
            PRIMARY KEY (from_currency, to_currency, rate_date)
        )
        """;

    /// <summary>Ten places keeps an inverted rate exact to far below a cent on any realistic amount.</summary>
    private const int InverseDecimals = 10;

    private readonly string _connectionString;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile bool _schemaReady;

    public SqliteExchangeRates(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _connectionString = connectionString;
    }

    public async Task<ExchangeRate?> FindAsync(string from, string to, DateOnly date, CancellationToken cancellationToken)
    {
        from = Normalize(from);
        to = Normalize(to);
        if (from == to)
        {
            return new ExchangeRate(from, to, date, 1m, "identity");
        }

        var direct = await LatestAsync(from, to, date, cancellationToken);
        var inverse = await LatestAsync(to, from, date, cancellationToken);

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

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO exchange_rates (from_currency, to_currency, rate_date, rate, source) VALUES ($from, $to, $date, $rate, $source)
            ON CONFLICT (from_currency, to_currency, rate_date) DO UPDATE SET rate = excluded.rate, source = excluded.source
            """;
        command.Parameters.AddWithValue("$from", Normalize(rate.From));
        command.Parameters.AddWithValue("$to", Normalize(rate.To));
        command.Parameters.AddWithValue("$date", rate.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$rate", rate.Rate.ToString(CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$source", rate.Source);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ExchangeRate>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT from_currency, to_currency, rate_date, rate, source FROM exchange_rates ORDER BY from_currency, to_currency, rate_date";
        return await ReadAsync(command, cancellationToken);
    }

    private async Task<ExchangeRate?> LatestAsync(string from, string to, DateOnly date, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT from_currency, to_currency, rate_date, rate, source FROM exchange_rates
            WHERE from_currency = $from AND to_currency = $to AND rate_date <= $date
            ORDER BY rate_date DESC LIMIT 1
            """;
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        command.Parameters.AddWithValue("$date", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return (await ReadAsync(command, cancellationToken)).SingleOrDefault();
    }

    private static async Task<List<ExchangeRate>> ReadAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var rates = new List<ExchangeRate>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rates.Add(new ExchangeRate(
                reader.GetString(0),
                reader.GetString(1),
                DateOnly.ParseExact(reader.GetString(2), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                decimal.Parse(reader.GetString(3), NumberStyles.Number, CultureInfo.InvariantCulture),
                reader.GetString(4)));
        }

        return rates;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        if (!_schemaReady)
        {
            await _schemaGate.WaitAsync(cancellationToken);
            try
            {
                if (!_schemaReady)
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = CreateTable;
                    await command.ExecuteNonQueryAsync(cancellationToken);
                    _schemaReady = true;
                }
            }
            finally
            {
                _schemaGate.Release();
            }
        }

        return connection;
    }

    private static string Normalize(string currency)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(currency);
        return currency.Trim().ToUpperInvariant();
    }
}
