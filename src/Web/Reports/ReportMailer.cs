using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using SalesDash.Web.Alerts;

namespace SalesDash.Web.Reports;

/// <summary>Mails a report with its PDF attached through the SMTP relay the alerts use (Alerts:Delivery).</summary>
public sealed class ReportMailer(IOptions<AlertDeliveryOptions> options)
{
    public async Task SendAsync(
        IReadOnlyList<string> recipients, string subject, string html, string text, byte[] pdf, string fileName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.SmtpHost))
        {
            throw new InvalidOperationException("Reports are mailed through Alerts:Delivery:SmtpHost, which is not set.");
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        foreach (var recipient in recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = subject;
        var body = new BodyBuilder { HtmlBody = html, TextBody = text };
        body.Attachments.Add(fileName, pdf, new ContentType("application", "pdf"));
        message.Body = body.ToMessageBody();

        using var client = new SmtpClient();
        await client.ConnectAsync(settings.SmtpHost, settings.SmtpPort, settings.SmtpSecurity, cancellationToken);
        if (!string.IsNullOrEmpty(settings.SmtpUserName))
        {
            await client.AuthenticateAsync(settings.SmtpUserName, settings.SmtpPassword ?? string.Empty, cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}
