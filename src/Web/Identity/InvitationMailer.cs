using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using SalesDash.Web.Alerts;

namespace SalesDash.Web.Identity;

/// <summary>Sends invitation e-mails through the SMTP relay alerts use (Alerts:Delivery), so there is one mail setting.</summary>
public sealed class InvitationMailer(IOptions<AlertDeliveryOptions> options)
{
    public bool Configured => !string.IsNullOrWhiteSpace(options.Value.SmtpHost);

    public async Task SendAsync(string to, string organisationName, string inviterName, OrgRole role, Uri acceptLink, DateTimeOffset expiresAt,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = $"{inviterName} invited you to {organisationName} on SalesDash";
        message.Body = new TextPart("plain")
        {
            Text = $"""
                {inviterName} invited you to join {organisationName} on SalesDash as {role}.

                Accept the invitation (sign in or sign up with this e-mail address first):
                {acceptLink}

                The link works until {expiresAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC and only once.
                """,
        };

        using var client = new SmtpClient();
        await client.ConnectAsync(settings.SmtpHost!, settings.SmtpPort, settings.SmtpSecurity, cancellationToken);
        if (!string.IsNullOrEmpty(settings.SmtpUserName))
        {
            await client.AuthenticateAsync(settings.SmtpUserName, settings.SmtpPassword ?? string.Empty, cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}
