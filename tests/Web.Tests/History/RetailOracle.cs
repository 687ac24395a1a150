using System.Data.Common;
using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;

namespace SalesDash.Web.Tests.History;

/// <summary>
/// An independent account of the Online Retail file: plain SQL over the raw CSV (DuckDB's read_csv, in memory),
/// sharing no code with the importer, the history stores or their queries. Times stay in the file's own
/// wall clock (UK local), which is the store's zone, so periods are plain local-date ranges here.
/// Rules, from the data set's README: each InvoiceNo is one order of the lines present, placed at its first
/// line's time; "C" invoices are refunds of their lines; an invoice with no positive line is not a sale. A
/// customer's first sale in the file is a new customer's order, later ones returning; guests count as new.
/// Money: an order's total and a refund's amount are rounded to the penny; a line's revenue too.
/// </summary>
internal sealed class RetailOracle : IDisposable
{
    private readonly DuckDBConnection _db = new("Data Source=:memory:");

    public RetailOracle(string csvPath)
    {
        _db.Open();
        Execute($"""
            CREATE TABLE raw AS SELECT *, row_number() OVER () AS rn
            FROM read_csv('{csvPath.Replace("'", "''", StringComparison.Ordinal)}', header = true, all_varchar = true);
            CREATE TABLE l AS SELECT
                trim(InvoiceNo) AS inv, trim(StockCode) AS sku, trim(Description) AS title, CAST(Quantity AS INTEGER) AS q,
                strptime(trim(InvoiceDate), '%Y-%m-%d %H:%M:%S') AS ts, CAST(UnitPrice AS DECIMAL(18,4)) AS price,
                CASE WHEN coalesce(trim(CustomerID), '') = '' THEN NULL ELSE CAST(CAST(CustomerID AS DOUBLE) AS BIGINT) END AS cust,
                trim(Country) AS country, rn
            FROM raw;
            CREATE TABLE inv AS SELECT inv, min(ts) AS placed, starts_with(inv, 'C') AS is_refund,
                ROUND(SUM(CASE WHEN q > 0 THEN q * price ELSE 0 END), 2) AS gross,
                SUM(CASE WHEN q > 0 THEN q ELSE 0 END) AS units,
                COUNT(*) FILTER (WHERE q > 0) AS sold_lines,
                ROUND(SUM(abs(q) * price), 2) AS refund_amount, SUM(abs(q)) AS refund_units,
                arg_min(cust, rn) AS cust, arg_min(country, rn) AS country
            FROM l GROUP BY inv;
            CREATE TABLE orders AS SELECT *,
                cust IS NOT NULL AND row_number() OVER (PARTITION BY cust ORDER BY placed, inv) > 1 AS is_returning
            FROM inv WHERE NOT is_refund AND sold_lines > 0;
            CREATE TABLE refunds AS SELECT * FROM inv WHERE is_refund;
            """);
    }

    /// <summary>File lines (the header is line 1) of rows that are no sale: lines of non-"C" invoices with no positive quantity, or a non-positive line in a sale.</summary>
    public IReadOnlyList<int> RejectedLines() =>
        Rows("SELECT rn + 1 FROM l WHERE NOT starts_with(inv, 'C') AND q <= 0 ORDER BY rn", r => (int)Long(r, 0));

    public int DataRows => (int)Rows("SELECT COUNT(*) FROM l", r => Long(r, 0))[0];

    public Totals TotalsBetween(DateOnly from, DateOnly toInclusive)
    {
        var range = Range("placed", from, toInclusive);
        var o = Rows($"""
            SELECT COALESCE(SUM(gross), 0), COUNT(*), COALESCE(SUM(units), 0),
                   COUNT(*) FILTER (WHERE NOT is_returning), COUNT(*) FILTER (WHERE is_returning)
            FROM orders WHERE {range}
            """, r => (Dec(r, 0), Long(r, 1), Long(r, 2), Long(r, 3), Long(r, 4)))[0];
        var f = Rows($"SELECT COALESCE(SUM(refund_amount), 0), COALESCE(SUM(refund_units), 0) FROM refunds WHERE {range}",
            r => (Dec(r, 0), Long(r, 1)))[0];
        return new Totals(o.Item1, o.Item2, o.Item3, o.Item4, o.Item5, f.Item1, f.Item2);
    }

    public IReadOnlyDictionary<DateOnly, Totals> Daily(DateOnly from, DateOnly toInclusive)
    {
        var days = new Dictionary<DateOnly, Totals>();
        for (var day = from; day <= toInclusive; day = day.AddDays(1))
        {
            days[day] = TotalsBetween(day, day);
        }

        return days;
    }

    /// <summary>Products ranked by revenue (then SKU), with refunded units from "C" lines in the same period.</summary>
    public IReadOnlyList<Product> Products(DateOnly from, DateOnly toInclusive, string orderBy = "revenue DESC, sku")
    {
        var sold = Range("o.placed", from, toInclusive);
        var refunded = Range("f.placed", from, toInclusive);
        return Rows($"""
            WITH s AS (
                SELECT l.sku, min(l.title) AS title, SUM(ROUND(l.q * l.price, 2)) AS revenue, SUM(l.q) AS units, COUNT(DISTINCT l.inv) AS orders
                FROM l JOIN orders o ON o.inv = l.inv WHERE l.q > 0 AND {sold} GROUP BY l.sku),
            r AS (
                SELECT l.sku, SUM(abs(l.q)) AS refunded_units, SUM(ROUND(abs(l.q) * l.price, 2)) AS refunded
                FROM l JOIN refunds f ON f.inv = l.inv WHERE {refunded} GROUP BY l.sku)
            SELECT COALESCE(s.sku, r.sku) AS sku, s.title, COALESCE(s.revenue, 0) AS revenue, COALESCE(s.units, 0) AS units,
                   COALESCE(s.orders, 0) AS orders, COALESCE(r.refunded_units, 0) AS refunded_units, COALESCE(r.refunded, 0) AS refunded
            FROM s FULL OUTER JOIN r ON r.sku = s.sku
            ORDER BY {orderBy}
            """, r => new Product(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), Dec(r, 2), Long(r, 3), Long(r, 4), Long(r, 5), Dec(r, 6)));
    }

    public IReadOnlyDictionary<string, (decimal Revenue, long Orders, long Units)> Countries(DateOnly from, DateOnly toInclusive) =>
        Rows($"SELECT country, SUM(gross), COUNT(*), SUM(units) FROM orders WHERE {Range("placed", from, toInclusive)} GROUP BY country",
            r => (Key: r.GetString(0), Value: (Dec(r, 1), Long(r, 2), Long(r, 3))))
        .ToDictionary(x => x.Key, x => x.Value, StringComparer.Ordinal);

    public void Dispose() => _db.Dispose();

    private static string Range(string column, DateOnly from, DateOnly toInclusive) =>
        $"{column} >= DATE '{from:yyyy-MM-dd}' AND {column} < DATE '{toInclusive.AddDays(1):yyyy-MM-dd}'";

    private void Execute(string sql)
    {
        using var command = _db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private List<T> Rows<T>(string sql, Func<DbDataReader, T> map)
    {
        using var command = _db.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private static decimal Dec(DbDataReader reader, int i) => reader.GetDecimal(i);

    private static long Long(DbDataReader reader, int i) => reader.GetValue(i) switch
    {
        BigInteger big => (long)big,
        var value => Convert.ToInt64(value, CultureInfo.InvariantCulture),
    };

    public sealed record Totals(decimal Gross, long Orders, long Units, long NewOrders, long ReturningOrders, decimal Refunds, long RefundedUnits)
    {
        public decimal? AverageOrderValue => Orders == 0 ? null : Math.Round(Gross / Orders, 2, MidpointRounding.AwayFromZero);
    }

    public sealed record Product(string Sku, string? Title, decimal Revenue, long Units, long Orders, long RefundedUnits, decimal Refunded)
    {
        public decimal? ReturnRate => Units == 0 ? null : Math.Round((decimal)RefundedUnits / Units, 4, MidpointRounding.AwayFromZero);
    }
}
