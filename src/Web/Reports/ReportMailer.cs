using Microsoft.Extensions.Options;
using MimeKit;
using SalesDash.Web.Mail;

namespace SalesDash.Web.Reports;

/// <summary>Mails a report with its file (PDF, CSV or XLSX) attached through the one mail relay (src/Web/Mail).</summary>
public sealed class ReportMailer(IMailSender mail, IOptions<MailOptions> options)
{
    /// <summary>The right-hand side of a send's Message-ID: the sender's own domain, as RFC 5322 suggests.</summary>
    public string MessageIdDomain =>
        MailboxAddress.TryParse(options.Value.From, out var from) && from.Domain is { Length: > 0 } domain ? domain : "salesdash.local";

    /// <summary>Mails the report under <paramref name="messageId"/>; returns the relay's acceptance (its reply to DATA).</summary>
    public async Task<string> SendAsync(
        IReadOnlyList<string> recipients, string subject, string html, string text, ReportFile file, string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentNullException.ThrowIfNull(file);
        if (!mail.Configured)
        {
            throw new MailNotConfiguredException("Mailing a report");
        }

        var message = new MimeMessage { MessageId = messageId };
        foreach (var recipient in recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = subject;
        var body = new BodyBuilder { HtmlBody = html, TextBody = text };
        var attachment = body.Attachments.Add(file.FileName, file.Bytes, ContentType.Parse(file.ContentType));
        if (attachment is MimePart part)
        {
            // Base64 for every format: a text/csv part would otherwise go quoted-printable and arrive with its CRLF row ends rewritten.
            part.ContentTransferEncoding = ContentEncoding.Base64;
        }

        message.Body = body.ToMessageBody();

        return await mail.SendAsync(message, cancellationToken);
    }
}
