using System.Globalization;
using System.Text;

namespace SalesDash.Web.Tests.Imports;

/// <summary>A generated order: lines, charges, an optional partial refund of some lines, and whether it was cancelled.</summary>
internal sealed record GenLine(string Sku, string Title, int Quantity, decimal Price)
{
    public decimal Amount => Quantity * Price;
}

internal sealed record GenOrder(
    string Id, DateTime Local, IReadOnlyList<GenLine> Lines, decimal Shipping, decimal Tax, string? Customer, IReadOnlyList<GenLine> Refunded, DateTime RefundLocal,
    bool Cancelled)
{
    public decimal Subtotal => Lines.Sum(l => l.Amount);
    public decimal Total => Subtotal + Shipping + Tax;
    public decimal RefundAmount => Refunded.Sum(l => l.Amount);
    public int Units => Lines.Sum(l => l.Quantity);
}

/// <summary>What the history must show for a file: the oracle, worked out from the generated orders alone.</summary>
/// <param name="Rejected">Rows reported and not imported: those of cancelled orders, where the layout says so.</param>
internal sealed record Expected(decimal Gross, long Orders, decimal Refunds, long? Units, int Events, int Rejected = 0);

/// <summary>A file as a merchant would upload it, the form fields sent with it, and what it must become.</summary>
internal sealed record ShapedFile(string Name, byte[] Bytes, IReadOnlyDictionary<string, string> Fields, Expected Expected);

/// <summary>
/// Orders written in the shapes real exports take: Shopify (comma, BOM, ISO with offset), Online Retail II (semicolon,
/// Latin-1, d/m/yy, decimal comma, "C" refunds), WooCommerce (tab, m/d/yyyy h:mm AM, snake_case headers), Amazon
/// (tab, UTC ISO, per-row charges), a generic "date, order id, amount" file (negative rows are refunds), and a file
/// no layout knows (German headers, day-first dates that never pass 12) that needs a mapping and a date order.
/// </summary>
internal static class ExportShapes
{
    public static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    public static IReadOnlyList<GenOrder> Orders(int seed, int count, int maxDay = 28)
    {
        var random = new Random(seed);
        var products = new[] { ("MUG-1", "Café mug"), ("POT-2", "Teapot, large"), ("LID-3", "Lid \"classic\""), ("CUP-4", "Cup"), ("SPN-5", "Spoon") };
        var customers = new[] { "ann@example.com", "bob@example.com", "cy@example.com", null };
        var orders = new List<GenOrder>();
        for (var i = 0; i < count; i++)
        {
            var local = new DateTime(2026, 10, random.Next(1, maxDay + 1), random.Next(8, 20), random.Next(0, 60), 0);
            var lines = Enumerable.Range(0, random.Next(1, 4))
                .Select(n => products[(i + n) % products.Length])
                .Select(p => new GenLine(p.Item1, p.Item2, random.Next(1, 6), random.Next(50, 20_000) / 100m))
                .ToList();
            var refunded = i % 5 == 1 ? lines.Take(1).ToList() : [];
            orders.Add(new GenOrder($"{1000 + i}", local, lines, random.Next(0, 3) * 2.50m, random.Next(0, 500) / 100m, customers[i % customers.Length],
                refunded, local.AddDays(1), Cancelled: i % 11 == 4));
        }

        return orders;
    }

    public static ShapedFile Shopify(IReadOnlyList<GenOrder> orders)
    {
        var text = new StringBuilder("Name,Email,Financial Status,Paid at,Currency,Subtotal,Shipping,Taxes,Total,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Refunded Amount,Cancelled at,Notes,Id\n");
        var live = orders.Where(o => !o.Cancelled).ToList();
        foreach (var o in live)
        {
            for (var i = 0; i < o.Lines.Count; i++)
            {
                var l = o.Lines[i];
                text.Append(i == 0
                    ? $"#{o.Id},{o.Customer},paid,,GBP,{M(o.Subtotal)},{M(o.Shipping)},{M(o.Tax)},{M(o.Total)},0.00,{o.Local:yyyy-MM-dd HH:mm:ss} {Offset(o.Local)},"
                    : $"#{o.Id},,,,,,,,,,,");
                text.Append(CultureInfo.InvariantCulture, $"{l.Quantity},{Q(l.Title)},{M(l.Price)},{l.Sku},{(i == 0 ? M(o.RefundAmount) : "")},,\"gift, wrapped\",{(i == 0 ? o.Id + "99" : "")}\n");
            }
        }

        return new ShapedFile("orders_export.csv", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text.ToString())], new Dictionary<string, string>(),
            new Expected(live.Sum(o => o.Total), live.Count, live.Sum(o => o.RefundAmount), live.Sum(o => o.Units), live.Count + live.Count(o => o.RefundAmount > 0)));
    }

    public static ShapedFile OnlineRetail(IReadOnlyList<GenOrder> orders)
    {
        var text = new StringBuilder("Invoice;StockCode;Description;Quantity;InvoiceDate;Price;Customer ID;Country\n");
        var live = orders.Where(o => !o.Cancelled).ToList();
        foreach (var o in live)
        {
            var customer = o.Customer is null ? "NA" : $"{12000 + o.Customer.Length}.0";
            foreach (var l in o.Lines)
            {
                text.Append(CultureInfo.InvariantCulture, $"{o.Id};{l.Sku};{l.Title.ToUpperInvariant()};{l.Quantity};{o.Local:d/M/yy H:mm};{C(l.Price)};{customer};United Kingdom\n");
            }

            foreach (var l in o.Refunded)
            {
                text.Append(CultureInfo.InvariantCulture, $"C{o.Id};{l.Sku};{l.Title.ToUpperInvariant()};-{l.Quantity};{o.RefundLocal:d/M/yy H:mm};{C(l.Price)};{customer};United Kingdom\n");
            }
        }

        return new ShapedFile("online_retail_II.csv", Encoding.Latin1.GetBytes(text.ToString()), new Dictionary<string, string>(),
            new Expected(live.Sum(o => o.Subtotal), live.Count, live.Sum(o => o.RefundAmount), live.Sum(o => o.Units), live.Count + live.Count(o => o.Refunded.Count > 0)));
    }

    public static ShapedFile WooCommerce(IReadOnlyList<GenOrder> orders)
    {
        var text = new StringBuilder("order_id\torder_date\tstatus\torder_total\tshipping_total\ttax_total\tbilling_email\trefunded_total\titem_name\titem_quantity\titem_cost\tsku\torder_currency\tcustomer_note\n");
        foreach (var o in orders)
        {
            foreach (var l in o.Lines)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"{o.Id}\t{o.Local.ToString("M/d/yyyy h:mm tt", CultureInfo.InvariantCulture)}\t{(o.Cancelled ? "cancelled" : "completed")}\t{M(o.Total)}\t{M(o.Shipping)}\t{M(o.Tax)}\t{o.Customer ?? "null"}\t{M(o.RefundAmount)}\t{l.Title}\t{l.Quantity}\t{M(l.Price)}\t{l.Sku}\tGBP\tleave at door, please\n");
            }
        }

        var live = orders.Where(o => !o.Cancelled).ToList();
        return new ShapedFile("woocommerce-orders.tsv", Encoding.UTF8.GetBytes(text.ToString()), new Dictionary<string, string>(),
            new Expected(live.Sum(o => o.Total), live.Count, live.Sum(o => o.RefundAmount), live.Sum(o => o.Units), live.Count + live.Count(o => o.RefundAmount > 0),
                orders.Where(o => o.Cancelled).Sum(o => o.Lines.Count)));
    }

    public static ShapedFile Amazon(IReadOnlyList<GenOrder> orders)
    {
        var text = new StringBuilder("amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\tsales-channel\tproduct-name\tsku\tasin\titem-status\tquantity\tcurrency\titem-price\titem-tax\tshipping-price\tshipping-tax\tship-city\tship-country\n");
        foreach (var o in orders)
        {
            var utc = TimeZoneInfo.ConvertTimeToUtc(o.Local, London);
            for (var i = 0; i < o.Lines.Count; i++)
            {
                var l = o.Lines[i];
                text.Append(CultureInfo.InvariantCulture,
                    $"202-{o.Id}-0001\t\t{utc:yyyy-MM-ddTHH:mm:ss}+00:00\t{utc:yyyy-MM-ddTHH:mm:ss}+00:00\t{(o.Cancelled ? "Cancelled" : "Shipped")}\tAmazon\tAmazon.co.uk\t{l.Title}\t{l.Sku}\tB00{i}\tShipped\t{l.Quantity}\tGBP\t{M(l.Amount)}\t{(i == 0 ? M(o.Tax) : "")}\t{(i == 0 ? M(o.Shipping) : "")}\t\tLONDON\tGB\n");
            }
        }

        var live = orders.Where(o => !o.Cancelled).ToList();
        return new ShapedFile("amazon-all-orders.txt", Encoding.UTF8.GetBytes(text.ToString()), new Dictionary<string, string>(),
            new Expected(live.Sum(o => o.Total), live.Count, 0m, live.Sum(o => o.Units), live.Count, orders.Where(o => o.Cancelled).Sum(o => o.Lines.Count)));
    }

    public static ShapedFile Generic(IReadOnlyList<GenOrder> orders)
    {
        var text = new StringBuilder("date,order id,amount,customer,channel note\n");
        var live = orders.Where(o => !o.Cancelled).ToList();
        foreach (var o in live)
        {
            text.Append(CultureInfo.InvariantCulture, $"{o.Local:yyyy-MM-dd HH:mm},{o.Id},\"{o.Total.ToString("#,##0.00", CultureInfo.InvariantCulture)}\",{o.Customer ?? "N/A"},web\n");
            if (o.RefundAmount > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"{o.RefundLocal:yyyy-MM-dd HH:mm},{o.Id},-{M(o.RefundAmount)},{o.Customer ?? ""},web\n");
            }
        }

        return new ShapedFile("sales.csv", Encoding.UTF8.GetBytes(text.ToString()), new Dictionary<string, string>(),
            new Expected(live.Sum(o => o.Total), live.Count, live.Sum(o => o.RefundAmount), null, live.Count + live.Count(o => o.RefundAmount > 0)));
    }

    /// <summary>Every date has day and month at most 12, so only the person importing can say which is which.</summary>
    public static ShapedFile Mapped(IReadOnlyList<GenOrder> orders)
    {
        var text = new StringBuilder("Wann;Beleg;Betrag (EUR);Kunde;Bemerkung\n");
        var live = orders.Where(o => !o.Cancelled).ToList();
        foreach (var o in live)
        {
            text.Append(CultureInfo.InvariantCulture, $"{o.Local:dd.MM.yyyy HH:mm};B-{o.Id};{C(o.Total)};{o.Customer ?? "null"};Danke, gern wieder\n");
        }

        var fields = new Dictionary<string, string>
        {
            ["mapping"] = """{"orderId":"Beleg","date":"Wann","total":"Betrag (EUR)","customer":"Kunde"}""",
            ["dateOrder"] = "day-first",
        };
        return new ShapedFile("export.csv", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text.ToString())], fields,
            new Expected(live.Sum(o => o.Total), live.Count, 0m, null, live.Count));
    }

    private static string M(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>Decimal comma, as a semicolon-separated spreadsheet writes it.</summary>
    private static string C(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture).Replace('.', ',');

    private static string Q(string text) => text.Contains(',', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal)
        ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
        : text;

    private static string Offset(DateTime local)
    {
        var offset = London.GetUtcOffset(local);
        return $"{(offset < TimeSpan.Zero ? '-' : '+')}{Math.Abs(offset.Hours):00}{Math.Abs(offset.Minutes):00}";
    }
}
