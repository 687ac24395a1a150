using MimeKit;
using SalesDash.Web.Mail;

namespace SalesDash.Web.Reports;

/// <summary>Mails a report with its PDF attached through the one mail relay (src/Web/Mail).</summary>
public sealed class ReportMailer(IMailSender mail)
{
    public async Task SendAsync(
        IReadOnlyList<string> recipients, string subject, string html, string text, byte[] pdf, string fileName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        if (!mail.Configured)
        {
            throw new MailNotConfiguredException("Mailing a report");
        }

        var message = new MimeMessage();
        foreach (var recipient in recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = subject;
        var body = new BodyBuilder { HtmlBody = html, TextBody = text };
        body.Attachments.Add(fileName, pdf, new ContentType("application", "pdf"));
        message.Body = body.ToMessageBody();

        await mail.SendAsync(message, cancellationToken);
    }
}
