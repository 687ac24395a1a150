using SalesDash.Connectors.Datasets.OnlineRetail;

namespace SalesDash.Connectors.Shopify.Replay;

/// <summary>What the dashboard tiles must show for one replayed local day, worked out from the raw CSV lines.</summary>
/// <param name="GrossRevenue">Sum of the orders' total_price (each order rounded to the penny first, as Shopify does).</param>
/// <param name="Refunds">Sum of the cancellations' refunded amounts.</param>
/// <param name="Orders">Distinct orders placed; retries and orders/updated deliveries add none.</param>
/// <param name="Units">Units sold on those orders.</param>
/// <param name="RefundedUnits">Units on the cancellations.</param>
/// <param name="NewCustomerOrders">Orders by a known customer placing their first order of the day's timeline.</param>
/// <param name="ReturningCustomerOrders">Orders by a known customer who already ordered earlier that day.</param>
/// <param name="GuestOrders">Orders without a customer id.</param>
public sealed record ReplayExpectation(
    DateOnly LocalDate,
    IReadOnlyList<DateOnly> DatasetDays,
    decimal GrossRevenue,
    decimal Refunds,
    int Orders,
    int Units,
    int RefundCount,
    int RefundedUnits,
    int NewCustomerOrders,
    int ReturningCustomerOrders,
    int GuestOrders)
{
    public decimal NetRevenue => GrossRevenue - Refunds;
}

/// <summary>
/// An independent account of a replay day for integration tests: it reads the CSV lines directly and shares no code
/// with <see cref="ShopifyReplayPlan"/> or the normaliser, so a bug in either shows up as a mismatch.
/// </summary>
public static class ReplayOracle
{
    /// <summary>
    /// The expected tiles for <paramref name="localDate"/> under the same fold (trading-day index mod 8 = day number
    /// mod 8) and hour shift the replay uses. With <paramref name="before"/>, only invoices whose shifted wall-clock
    /// time is earlier count, i.e. what a dashboard should show at that local time (outside DST-change hours).
    /// </summary>
    public static ReplayExpectation ForDate(IEnumerable<RetailLine> lines, DateOnly localDate, int hourShift = 0, TimeOnly? before = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var all = lines.ToList();

        var days = all.Select(l => DateOnly.FromDateTime(l.InvoiceDate)).Distinct().Order().ToList();
        var wanted = new HashSet<DateOnly>();
        for (var i = 0; i < days.Count; i++)
        {
            if (i % 8 == localDate.DayNumber % 8)
            {
                wanted.Add(days[i]);
            }
        }

        var invoices = all
            .Where(l => wanted.Contains(DateOnly.FromDateTime(l.InvoiceDate)))
            .GroupBy(l => l.InvoiceNo)
            .Select(g =>
            {
                var first = g.Min(l => l.InvoiceDate);
                var minutes = ((first.Hour + hourShift) * 60 % 1440 + 1440) % 1440 + first.Minute;
                return new
                {
                    InvoiceNo = g.Key,
                    Lines = g.ToList(),
                    Wall = new TimeOnly(minutes / 60, minutes % 60, first.Second),
                    g.First().CustomerId,
                };
            })
            .OrderBy(i => i.Wall)
            .ThenBy(i => i.InvoiceNo, StringComparer.Ordinal)
            .ToList();

        decimal gross = 0m, refunds = 0m;
        int orders = 0, units = 0, refundCount = 0, refundedUnits = 0, newOrders = 0, returningOrders = 0, guestOrders = 0;
        var seenCustomers = new HashSet<long>();

        foreach (var invoice in invoices)
        {
            var counts = before is null || invoice.Wall < before.Value;
            var number = invoice.InvoiceNo.StartsWith('C') ? invoice.InvoiceNo[1..] : invoice.InvoiceNo;
            if (number.Length is 0 or > 6 || !number.All(char.IsAsciiDigit))
            {
                continue;
            }

            if (invoice.InvoiceNo.StartsWith('C'))
            {
                if (counts)
                {
                    refunds += Math.Round(invoice.Lines.Sum(l => Math.Abs(l.Quantity) * l.UnitPrice), 2, MidpointRounding.AwayFromZero);
                    refundedUnits += invoice.Lines.Sum(l => Math.Abs(l.Quantity));
                    refundCount++;
                }

                continue;
            }

            var sold = invoice.Lines.Where(l => l.Quantity > 0).ToList();
            if (sold.Count == 0)
            {
                continue;
            }

            // Whether a customer is returning depends on the whole timeline so far, counted or not.
            var returning = invoice.CustomerId is { } customer && !seenCustomers.Add(customer);
            if (!counts)
            {
                continue;
            }

            orders++;
            gross += Math.Round(sold.Sum(l => l.Quantity * l.UnitPrice), 2, MidpointRounding.AwayFromZero);
            units += sold.Sum(l => l.Quantity);
            if (invoice.CustomerId is null)
            {
                guestOrders++;
            }
            else if (returning)
            {
                returningOrders++;
            }
            else
            {
                newOrders++;
            }
        }

        return new ReplayExpectation(localDate, [.. days.Where(wanted.Contains)], gross, refunds, orders, units, refundCount, refundedUnits, newOrders, returningOrders, guestOrders);
    }
}
