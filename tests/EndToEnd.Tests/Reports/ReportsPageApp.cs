using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.Reports;

/// <summary>
/// A SalesDash app of its own for the reports page: one store, and reports mailed to the loopback SMTP server that
/// ./test.sh starts (SALESDASH_SMTP; a test that needs it fails without it).
/// </summary>
public sealed class ReportsPageApp : ServedSalesDash
{
    public static readonly TestStore Shop = new("rep", "rep-shop", "Report Shop", "rep-shop.myshopify.com", "EUR", "UTC", $"shpss_rep_{Guid.NewGuid():N}");

    protected override SalesDashHostOptions CreateOptions() => new()
    {
        Stores = [Shop.Hosted()],
        Settings = SalesDashHostOptions.SmtpSettings(Environment.GetEnvironmentVariable("SALESDASH_SMTP") is { Length: > 0 } smtp
            ? smtp
            : throw new InvalidOperationException("SALESDASH_SMTP is not set: run scripts/services/smtp.sh (./test.sh does) and export its last line.")),
    };
}
