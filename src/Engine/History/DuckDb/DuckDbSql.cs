using System.Data.Common;
using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;
using static SalesDash.Engine.History.DuckDb.DuckDbSql;

namespace SalesDash.Engine.History.DuckDb;

/// <summary>The SQL helpers every DuckDB history port shares: scope filters, parameters and reading DuckDB's values.</summary>
internal static class DuckDbSql
{
    internal static string Where(HistoryScope scope, string timeColumn, string prefix = "") =>
        $"{InScope(scope, prefix)} AND {timeColumn} >= $from AND {timeColumn} < $to";

    /// <summary>The scope's tenant, and its store if it names one.</summary>
    internal static string InScope(HistoryScope scope, string prefix = "") =>
        $"{prefix}tenant_id = $tenant" + (scope.StoreId is null ? string.Empty : $" AND {prefix}store_id = $store");

    internal static void Query(DuckDBConnection connection, string sql, HistoryScope scope, HistoryRange range, Action<DbDataReader> row)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new DuckDBParameter("tenant", scope.TenantId));
        if (scope.StoreId is not null)
        {
            command.Parameters.Add(new DuckDBParameter("store", scope.StoreId));
        }

        command.Parameters.Add(new DuckDBParameter("from", range.FromUtc.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("to", range.ToUtc.UtcDateTime));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            row(reader);
        }
    }

    /// <summary>
    /// One row per order from its versions: the newest version's figures, the visit of the earliest version that names
    /// one, the buyer of the newest that names one. Every version shares tenant, store and placed_at, so
    /// <paramref name="where"/> may filter on them before grouping.
    /// </summary>
    internal static string TouchesCollapsed(string where) => $"""
        SELECT tenant_id, store_id, order_id, max(version) AS version, arg_max(channel, version) AS channel, arg_max(placed_at, version) AS placed_at,
               arg_max(revenue, version) AS revenue, arg_max(currency, version) AS currency, arg_max(cancelled, version) AS cancelled,
               arg_min(touch, version) FILTER (WHERE touch IS NOT NULL) AS touch,
               arg_min(coalesce(campaign, ''), version) FILTER (WHERE touch IS NOT NULL) AS campaign,
               arg_max(email_hash, version) FILTER (WHERE email_hash IS NOT NULL) AS email_hash
        FROM history_order_touches WHERE {where} GROUP BY tenant_id, store_id, order_id
        """;

    internal static DateTimeOffset Utc(DbDataReader reader, int ordinal) => new(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));

    internal static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) || reader.GetString(ordinal).Length == 0 ? null : reader.GetString(ordinal);

    internal static decimal Dec(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? 0m : reader.GetDecimal(ordinal);

    /// <summary>DuckDB sums integers as HUGEINT (a BigInteger here); counts are BIGINT.</summary>
    internal static long Long(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? 0 : reader.GetValue(ordinal) switch
    {
        BigInteger big => (long)big,
        var value => Convert.ToInt64(value, CultureInfo.InvariantCulture),
    };

    internal static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));


    internal static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static void ExecuteAll(DuckDBConnection connection, IEnumerable<string> statements)
    {
        foreach (var statement in statements)
        {
            Execute(connection, statement);
        }
    }

    /// <summary>The two timestamps a min/max query answers; null when it found no row.</summary>
    internal static (DateTime From, DateTime To)? Range(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        return reader.Read() && !reader.IsDBNull(0) ? (reader.GetDateTime(0), reader.GetDateTime(1)) : null;
    }
}
