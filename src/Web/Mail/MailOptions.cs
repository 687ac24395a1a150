using MailKit.Security;

namespace SalesDash.Web.Mail;

/// <summary>The one SMTP relay every e-mail leaves through: alerts, invitations, reports and plan notices.</summary>
public sealed class MailOptions
{
    /// <summary>The section read last, so its keys win.</summary>
    public const string Section = "Mail";

    /// <summary>
    /// Where the relay was configured before mail had its own capability; still read first so existing deployments
    /// (and their secrets) keep working without a rename.
    /// </summary>
    public const string LegacySection = "Alerts:Delivery";

    /// <summary>SMTP relay host; empty means e-mail is not configured.</summary>
    public string? SmtpHost { get; set; }

    public int SmtpPort { get; set; } = 25;

    /// <summary>None (a local relay), StartTls or SslOnConnect.</summary>
    public SecureSocketOptions SmtpSecurity { get; set; } = SecureSocketOptions.None;

    public string? SmtpUserName { get; set; }

    public string? SmtpPassword { get; set; }

    public string From { get; set; } = "SalesDash <alerts@salesdash.local>";
}
