using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.History;
using SalesDash.Engine.History.Snapshots;
using SalesDash.Engine.Stores;
using SalesDash.Web.Dashboards;

namespace SalesDash.Web.Exports;

/// <summary>
/// An organisation's whole data as a zip of CSV files, written straight to the response as it is read: stores,
/// dashboards and alert rules, then per store its per-minute KPI rows (a day at a time) and its order, order-line,
/// refund and refund-line facts (keyset pages of <see cref="PageSize"/>), so memory stays flat whatever the history.
/// Times are in each store's zone with their offset; money columns name the store's currency.
/// </summary>
public static class OrganisationExport
{
    /// <summary>Facts read per query: large enough that a query's cost dwarfs its round trip, small enough to stay a few MB.</summary>
    public const int PageSize = 2000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> StreamAsync(
        string tenantId, HttpContext http, IStoreDirectory stores, IDashboardStore dashboards, IAlertRuleStore alerts, IHistoryStore history,
        TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var own = (await stores.ListAsync(tenantId, cancellationToken))
            .OrderBy(s => s.Store.StoreId, StringComparer.Ordinal)
            .ToList();
        if (own.Count == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown organisation", detail: $"There is no store in '{tenantId}'.");
        }

        if (history is not IHistoryFactExport facts)
        {
            throw new InvalidOperationException($"The history store {history.GetType().Name} cannot page its facts for an export.");
        }

        // ZipArchive writes each entry's small data descriptor synchronously when the entry closes (even on the async
        // path), which Kestrel refuses by default; the bulk of the data is still written asynchronously.
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpBodyControlFeature>() is { } body)
        {
            body.AllowSynchronousIO = true;
        }

        var now = time.GetUtcNow();
        http.Response.ContentType = "application/zip";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{ExportFormats.FileName($"{tenantId}-export-{now:yyyy-MM-dd}", ExportFormat.Csv)[..^4]}.zip\"";
        http.Response.Headers.CacheControl = "no-store";
        await WriteAsync(http.Response.Body, tenantId, own, dashboards, alerts, history, facts, now, cancellationToken);
        return TypedResults.Empty;
    }

    /// <summary>Writes the zip to <paramref name="output"/>, which need not be seekable.</summary>
    public static async Task WriteAsync(
        Stream output, string tenantId, IReadOnlyList<StoreProfile> own, IDashboardStore dashboards, IAlertRuleStore alerts, IMinuteSnapshotStore minutes,
        IHistoryFactExport facts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(dashboards);
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(minutes);
        ArgumentNullException.ThrowIfNull(facts);
        await using var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken);

        await EntryAsync(zip, "stores.csv", async w =>
        {
            var columns = Columns(new ExportColumn("Store", ColumnKind.Text), new ExportColumn("Name", ColumnKind.Text), new ExportColumn("Channel", ColumnKind.Text), new ExportColumn("Shop domain", ColumnKind.Text),
                new ExportColumn("Currency", ColumnKind.Text), new ExportColumn("Time zone", ColumnKind.Text));
            await HeaderAsync(w, columns);
            foreach (var s in own)
            {
                await w.WriteLineAsync(CsvExport.Row(columns, [s.Store.StoreId, s.Name, s.Channel.ToString(), s.ShopDomain, s.Currency, s.TimeZone]));
            }
        }, cancellationToken);

        await EntryAsync(zip, "dashboards.csv", async w =>
        {
            var columns = Columns(new ExportColumn("Dashboard", ColumnKind.Text), new ExportColumn("Name", ColumnKind.Text), new ExportColumn("Created at (UTC)", ColumnKind.Time),
                new ExportColumn("Updated at (UTC)", ColumnKind.Time), new ExportColumn("Layout (JSON)", ColumnKind.Text), new ExportColumn("Widgets (JSON)", ColumnKind.Text));
            await HeaderAsync(w, columns);
            foreach (var summary in await dashboards.ListAsync(tenantId, cancellationToken))
            {
                if (await dashboards.GetAsync(tenantId, summary.Id, cancellationToken) is { } d)
                {
                    await w.WriteLineAsync(CsvExport.Row(columns,
                        [d.Id, d.Name, d.CreatedAt.ToUniversalTime(), d.UpdatedAt.ToUniversalTime(), JsonSerializer.Serialize(d.Layout, Json), JsonSerializer.Serialize(d.Widgets, Json)]));
                }
            }
        }, cancellationToken);

        await EntryAsync(zip, "alert_rules.csv", async w =>
        {
            var columns = Columns(new ExportColumn("Rule", ColumnKind.Text), new ExportColumn("Name", ColumnKind.Text), new ExportColumn("Store", ColumnKind.Text), new ExportColumn("Kind", ColumnKind.Text),
                new ExportColumn("Definition (JSON)", ColumnKind.Text));
            await HeaderAsync(w, columns);
            foreach (var rule in await alerts.ListRulesAsync(tenantId, cancellationToken))
            {
                await w.WriteLineAsync(CsvExport.Row(columns, [rule.Id, rule.Name, rule.StoreId, rule.Kind.ToString(), JsonSerializer.Serialize(rule, Json)]));
            }
        }, cancellationToken);

        foreach (var store in own)
        {
            await StoreAsync(zip, store, minutes, facts, now, cancellationToken);
        }
    }

    private static async Task StoreAsync(
        ZipArchive zip, StoreProfile store, IMinuteSnapshotStore minutes, IHistoryFactExport facts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var zone = ExportFormats.Zone(store.TimeZone);
        var money = store.Currency;
        var folder = $"stores/{store.Store.StoreId}/";
        DateTimeOffset Local(DateTimeOffset at) => ExportFormats.InZone(at, zone);

        DateTimeOffset? earliest = null;
        await EntryAsync(zip, folder + "orders.csv", async w =>
        {
            var columns = Columns(new ExportColumn("Order", ColumnKind.Text), new ExportColumn("Version", ColumnKind.Integer), new ExportColumn("Channel", ColumnKind.Text), new ExportColumn($"Placed at ({zone.Id})", ColumnKind.Time),
                new ExportColumn("Currency", ColumnKind.Text), new ExportColumn("Total", ColumnKind.Money, money), new ExportColumn("Units", ColumnKind.Integer), new ExportColumn("Returning customer", ColumnKind.Text),
                new ExportColumn("Cancelled", ColumnKind.Text), new ExportColumn("Source", ColumnKind.Text), new ExportColumn("Country", ColumnKind.Text));
            await HeaderAsync(w, columns);
            await foreach (var o in OrdersAsync(facts, store.Store, cancellationToken))
            {
                earliest ??= o.PlacedAt;
                await w.WriteLineAsync(CsvExport.Row(columns,
                    [o.OrderId, o.Version, o.Channel.ToString(), Local(o.PlacedAt), o.Currency, o.Total, o.Units, o.ReturningCustomer, o.Cancelled, o.Source, o.Country]));
            }
        }, cancellationToken);

        await EntryAsync(zip, folder + "order_lines.csv", async w =>
        {
            var columns = Columns(new ExportColumn("Order", ColumnKind.Text), new ExportColumn("Line", ColumnKind.Integer), new ExportColumn("SKU", ColumnKind.Text), new ExportColumn("Title", ColumnKind.Text),
                new ExportColumn("Quantity", ColumnKind.Integer), new ExportColumn("Unit price", ColumnKind.Money, money), new ExportColumn("Line revenue", ColumnKind.Money, money));
            await HeaderAsync(w, columns);
            await foreach (var o in OrdersAsync(facts, store.Store, cancellationToken))
            {
                foreach (var l in o.Lines)
                {
                    await w.WriteLineAsync(CsvExport.Row(columns, [o.OrderId, l.LineNo, l.Sku, l.Title, l.Quantity, l.UnitPrice, l.LineRevenue]));
                }
            }
        }, cancellationToken);

        await EntryAsync(zip, folder + "refunds.csv", async w =>
        {
            var columns = Columns(new ExportColumn("Refund", ColumnKind.Text), new ExportColumn("Order", ColumnKind.Text), new ExportColumn("Channel", ColumnKind.Text), new ExportColumn($"Occurred at ({zone.Id})", ColumnKind.Time),
                new ExportColumn("Amount", ColumnKind.Money, money), new ExportColumn("Units", ColumnKind.Integer));
            await HeaderAsync(w, columns);
            await foreach (var r in RefundsAsync(facts, store.Store, cancellationToken))
            {
                earliest = earliest is { } e && e <= r.OccurredAt ? e : r.OccurredAt;
                await w.WriteLineAsync(CsvExport.Row(columns, [r.RefundId, r.OrderId, r.Channel.ToString(), Local(r.OccurredAt), r.Amount, r.Units]));
            }
        }, cancellationToken);

        await EntryAsync(zip, folder + "refund_lines.csv", async w =>
        {
            var columns = Columns(new ExportColumn("Refund", ColumnKind.Text), new ExportColumn("Line", ColumnKind.Integer), new ExportColumn("SKU", ColumnKind.Text), new ExportColumn("Quantity", ColumnKind.Integer),
                new ExportColumn("Amount", ColumnKind.Money, money));
            await HeaderAsync(w, columns);
            await foreach (var r in RefundsAsync(facts, store.Store, cancellationToken))
            {
                foreach (var l in r.Lines)
                {
                    await w.WriteLineAsync(CsvExport.Row(columns, [r.RefundId, l.LineNo, l.Sku, l.Quantity, l.Amount]));
                }
            }
        }, cancellationToken);

        // Minute rows exist only for minutes with an order placed or a refund made, so the earliest fact bounds them.
        await EntryAsync(zip, folder + "minute_kpis.csv", async w =>
        {
            var columns = Columns(new ExportColumn($"Minute ({zone.Id})", ColumnKind.Time), new ExportColumn("Currency", ColumnKind.Text), new ExportColumn("Gross revenue", ColumnKind.Money, money),
                new ExportColumn("Refunds", ColumnKind.Money, money), new ExportColumn("Orders", ColumnKind.Integer), new ExportColumn("Units", ColumnKind.Integer), new ExportColumn("New customer orders", ColumnKind.Integer),
                new ExportColumn("Returning customer orders", ColumnKind.Integer), new ExportColumn("Cancelled orders", ColumnKind.Integer));
            await HeaderAsync(w, columns);
            if (earliest is not { } first)
            {
                return;
            }

            var end = now.AddDays(2);
            for (var from = new DateTimeOffset(first.UtcDateTime.Date, TimeSpan.Zero); from < end; from = from.AddDays(1))
            {
                foreach (var m in await minutes.ReadAsync(store.Store, from, from.AddDays(1), cancellationToken))
                {
                    await w.WriteLineAsync(CsvExport.Row(columns,
                        [Local(m.Minute), m.Currency, m.GrossRevenue, m.Refunds, m.Orders, m.Units, m.NewCustomerOrders, m.ReturningCustomerOrders, m.CancelledOrders]));
                }
            }
        }, cancellationToken);
    }

    private static async IAsyncEnumerable<OrderFact> OrdersAsync(
        IHistoryFactExport facts, StoreRef store, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        FactCursor? after = null;
        while (true)
        {
            var page = await facts.OrdersAfterAsync(store, after, PageSize, cancellationToken);
            foreach (var order in page)
            {
                yield return order;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = new FactCursor(page[^1].PlacedAt, page[^1].OrderId);
        }
    }

    private static async IAsyncEnumerable<RefundFact> RefundsAsync(
        IHistoryFactExport facts, StoreRef store, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        FactCursor? after = null;
        while (true)
        {
            var page = await facts.RefundsAfterAsync(store, after, PageSize, cancellationToken);
            foreach (var refund in page)
            {
                yield return refund;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = new FactCursor(page[^1].OccurredAt, page[^1].RefundId);
        }
    }

    private static ExportColumn[] Columns(params ExportColumn[] columns) => columns;

    private static Task HeaderAsync(TextWriter writer, IReadOnlyList<ExportColumn> columns) =>
        writer.WriteLineAsync(string.Join(",", columns.Select(c => CsvExport.Field(c.Title))));

    private static async Task EntryAsync(ZipArchive zip, string name, Func<TextWriter, Task> write, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        await using var stream = await entry.OpenAsync(cancellationToken);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 64 * 1024) { NewLine = "\r\n" };
        await write(writer);
        await writer.FlushAsync(cancellationToken);
    }
}
