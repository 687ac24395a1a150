using MimeKit;
using SalesDash.Web.Mail;

namespace SalesDash.Web.Identity;

/// <summary>Writes invitation e-mails and sends them through the one mail relay (src/Web/Mail).</summary>
public sealed class InvitationMailer(IMailSender mail)
{
    public bool Configured => mail.Configured;

    public async Task SendAsync(string to, string organisationName, string inviterName, OrgRole role, Uri acceptLink, DateTimeOffset expiresAt,
        CancellationToken cancellationToken)
    {
        var message = new MimeMessage();
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

        await mail.SendAsync(message, cancellationToken);
    }
}
