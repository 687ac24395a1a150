using System.Text;

namespace SalesDash.Web.Imports;

/// <summary>
/// What a column can mean. Order-level fields (<see cref="Total"/>, <see cref="Customer"/>, ...) are read from the
/// first row of the order that has them, as Shopify writes them on the first line item only; line fields from every row.
/// </summary>
public enum ImportField
{
    OrderId,
    Date,
    Total,
    Quantity,
    UnitPrice,
    LineTotal,
    Sku,
    Product,
    Customer,
    Currency,
    Country,
    Refunded,
    Status,
    Shipping,
    Tax,
    Subtotal,
    Discounts,
    CancelledAt,
    PaidAt,

    /// <summary>Where the sale came from (web, pos, a marketplace); the layout's name when absent.</summary>
    Source,

    /// <summary>The platform's own order id when the file groups by another (Shopify groups by Name "#1001" and has the numeric Id).</summary>
    ExternalId,
}

/// <summary>
/// A file layout: the header names (any case, spacing or punctuation) each field goes by, and the few rules that
/// differ between exports.
/// </summary>
/// <param name="Name">As the API and the UI spell it.</param>
/// <param name="Title">For people.</param>
/// <param name="Columns">Header names per field, in order of preference.</param>
/// <param name="Required">Fields whose columns must all be present for a header to be this layout.</param>
/// <param name="RefundPrefix">Order ids with this prefix are refunds of their lines (Online Retail's "C" invoices); null:
/// rows with a negative amount or quantity are refunds.</param>
/// <param name="ChargesPerRow">Shipping and tax are per row and add to the order's total (Amazon), not order-level.</param>
public sealed record ImportLayout(
    string Name,
    string Title,
    IReadOnlyDictionary<ImportField, string[]> Columns,
    IReadOnlyList<ImportField> Required,
    string? RefundPrefix = null,
    bool ChargesPerRow = false)
{
    /// <summary>Finds each field's column in <paramref name="header"/>; fields with no column are absent.</summary>
    public Dictionary<ImportField, int> Match(IReadOnlyList<string> header)
    {
        var index = ImportLayouts.Index(header);
        var found = new Dictionary<ImportField, int>();
        foreach (var (field, names) in Columns)
        {
            foreach (var name in names)
            {
                if (index.TryGetValue(ImportLayouts.Normalise(name), out var i))
                {
                    found[field] = i;
                    break;
                }
            }
        }

        return found;
    }

    public bool Fits(IReadOnlyList<string> header)
    {
        var found = Match(header);
        return Required.All(found.ContainsKey);
    }
}

/// <summary>The layouts the importer knows by their header, and what a column mapping must hold.</summary>
public static class ImportLayouts
{
    public const string Custom = "custom";

    public static readonly ImportLayout Shopify = new("shopify-orders", "Shopify orders export", new Dictionary<ImportField, string[]>
    {
        [ImportField.OrderId] = ["Name"],
        [ImportField.Date] = ["Created at"],
        [ImportField.Total] = ["Total"],
        [ImportField.Subtotal] = ["Subtotal"],
        [ImportField.Shipping] = ["Shipping"],
        [ImportField.Tax] = ["Taxes"],
        [ImportField.Discounts] = ["Discount Amount"],
        [ImportField.Refunded] = ["Refunded Amount"],
        [ImportField.CancelledAt] = ["Cancelled at"],
        [ImportField.PaidAt] = ["Paid at"],
        [ImportField.Source] = ["Source"],
        [ImportField.ExternalId] = ["Id"],
        [ImportField.Quantity] = ["Lineitem quantity"],
        [ImportField.UnitPrice] = ["Lineitem price"],
        [ImportField.Product] = ["Lineitem name"],
        [ImportField.Sku] = ["Lineitem sku"],
        [ImportField.Customer] = ["Email"],
        [ImportField.Currency] = ["Currency"],
        [ImportField.Country] = ["Shipping Country", "Billing Country"],
    }, [ImportField.OrderId, ImportField.Date, ImportField.Total, ImportField.Quantity, ImportField.UnitPrice]);

    public static readonly ImportLayout OnlineRetail = new("online-retail", "Online Retail (UCI data set)", new Dictionary<ImportField, string[]>
    {
        [ImportField.OrderId] = ["InvoiceNo", "Invoice"],
        [ImportField.Date] = ["InvoiceDate"],
        [ImportField.Quantity] = ["Quantity"],
        [ImportField.UnitPrice] = ["UnitPrice", "Price"],
        [ImportField.Sku] = ["StockCode"],
        [ImportField.Product] = ["Description"],
        [ImportField.Customer] = ["CustomerID", "Customer ID"],
        [ImportField.Country] = ["Country"],
    }, [ImportField.OrderId, ImportField.Date, ImportField.Quantity, ImportField.UnitPrice, ImportField.Sku], RefundPrefix: "C");

    public static readonly ImportLayout WooCommerce = new("woocommerce-orders", "WooCommerce orders export", new Dictionary<ImportField, string[]>
    {
        [ImportField.OrderId] = ["Order Number", "Order ID", "order_id", "order_number"],
        [ImportField.Date] = ["Order Date", "order_date", "Date Created", "date_created"],
        [ImportField.Total] = ["Order Total Amount", "Order Total", "order_total"],
        [ImportField.Status] = ["Order Status", "status"],
        [ImportField.Currency] = ["Order Currency", "order_currency", "Currency"],
        [ImportField.Customer] = ["Email (Billing)", "Billing Email", "billing_email", "Customer Email", "Customer User ID", "customer_id"],
        [ImportField.Country] = ["Country Code (Billing)", "Billing Country", "billing_country", "Country Code (Shipping)", "Shipping Country"],
        [ImportField.Shipping] = ["Order Shipping Amount", "Shipping Total", "shipping_total", "Order Shipping"],
        [ImportField.Tax] = ["Order Total Tax Amount", "Tax Total", "tax_total", "Order Tax"],
        [ImportField.Discounts] = ["Cart Discount Amount", "Cart Discount", "cart_discount", "Discount Total"],
        [ImportField.Refunded] = ["Order Refund Amount", "Refunded Total", "Order Refunds", "refunded_total", "Total Refunded"],
        [ImportField.Product] = ["Item Name", "Product Name", "item_name"],
        [ImportField.Sku] = ["SKU", "Item SKU", "item_sku"],
        [ImportField.Quantity] = ["Quantity (- Refund)", "Quantity", "Item Quantity", "item_quantity", "Qty"],
        [ImportField.UnitPrice] = ["Item Cost", "Item Price", "item_cost"],
        [ImportField.LineTotal] = ["Item Total", "Line Total", "item_total"],
    }, [ImportField.OrderId, ImportField.Date, ImportField.Total, ImportField.Status]);

    public static readonly ImportLayout Amazon = new("amazon-orders", "Amazon order report", new Dictionary<ImportField, string[]>
    {
        [ImportField.OrderId] = ["amazon-order-id", "order-id"],
        [ImportField.Date] = ["purchase-date"],
        [ImportField.Status] = ["order-status"],
        [ImportField.Product] = ["product-name"],
        [ImportField.Sku] = ["sku"],
        [ImportField.Quantity] = ["quantity", "quantity-purchased"],
        [ImportField.LineTotal] = ["item-price"],
        [ImportField.Tax] = ["item-tax"],
        [ImportField.Shipping] = ["shipping-price"],
        [ImportField.Currency] = ["currency"],
        [ImportField.Country] = ["ship-country"],
        [ImportField.Customer] = ["buyer-email"],
        [ImportField.Source] = ["sales-channel"],
    }, [ImportField.OrderId, ImportField.Date, ImportField.LineTotal], ChargesPerRow: true);

    public static readonly ImportLayout Generic = new("generic", "Date, order id, amount", new Dictionary<ImportField, string[]>
    {
        [ImportField.Date] = ["Date", "Order Date", "Created", "Created at", "Timestamp", "Time", "Datetime"],
        [ImportField.OrderId] = ["Order ID", "Order", "Order No", "Order Number", "Order #", "Id", "Transaction ID", "Invoice"],
        [ImportField.Total] = ["Amount", "Total", "Order Total", "Revenue", "Value", "Sales", "Gross"],
        [ImportField.Customer] = ["Customer ID", "Customer", "Email", "Customer Email"],
        [ImportField.Currency] = ["Currency"],
        [ImportField.Country] = ["Country"],
        [ImportField.Quantity] = ["Quantity", "Qty", "Units"],
        [ImportField.Sku] = ["SKU", "Product ID"],
        [ImportField.Product] = ["Product", "Product Name", "Item"],
        [ImportField.Refunded] = ["Refunded", "Refund", "Refund Amount"],
        [ImportField.Status] = ["Status"],
        [ImportField.Source] = ["Source", "Channel"],
    }, [ImportField.Date, ImportField.OrderId, ImportField.Total]);

    /// <summary>Most specific first: a Shopify header would also pass as the generic one.</summary>
    public static readonly IReadOnlyList<ImportLayout> Known = [Shopify, OnlineRetail, Amazon, WooCommerce, Generic];

    public static ImportLayout? Find(string? name) => Known.FirstOrDefault(l => string.Equals(l.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));

    public static ImportLayout? Detect(IReadOnlyList<string> header) => Known.FirstOrDefault(l => l.Fits(header));

    /// <summary>"Lineitem quantity", "lineitem_quantity" and "LINEITEM-QUANTITY" are one column: letters and digits only, lower case.</summary>
    public static string Normalise(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var text = new StringBuilder(header.Length);
        foreach (var ch in header.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(ch))
            {
                text.Append(char.ToLowerInvariant(ch));
            }
        }

        return text.ToString();
    }

    /// <summary>Normalised header name → its first column.</summary>
    public static Dictionary<string, int> Index(IReadOnlyList<string> header)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            index.TryAdd(Normalise(header[i].Trim('\uFEFF')), i);
        }

        return index;
    }

    /// <summary>
    /// Why a mapping cannot make orders, or null when it can: it needs an order id and a date, and an amount from an
    /// order total, line totals, or unit prices (times quantities when mapped).
    /// </summary>
    public static string? Incomplete(IReadOnlyDictionary<ImportField, int> mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var missing = new List<string>();
        if (!mapping.ContainsKey(ImportField.OrderId))
        {
            missing.Add("an order id");
        }

        if (!mapping.ContainsKey(ImportField.Date))
        {
            missing.Add("a date");
        }

        if (!mapping.ContainsKey(ImportField.Total) && !mapping.ContainsKey(ImportField.LineTotal) && !mapping.ContainsKey(ImportField.UnitPrice))
        {
            missing.Add("an amount (order total, line total or unit price)");
        }

        return missing.Count == 0 ? null : $"map {string.Join(", ", missing)} to columns of the file";
    }
}
