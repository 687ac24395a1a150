using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace SalesDash.Web.Mail;

/// <summary>Sends one message through the configured relay; the sender is filled in when the caller left it empty.</summary>
public interface IMailSender
{
    /// <summary>False when no relay is set, so callers that may skip mail (invitations, plan notices) can say so.</summary>
    bool Configured { get; }

    /// <summary>Sends the message; returns the relay's reply when it accepted it (the text of its 250 after DATA).</summary>
    /// <exception cref="MailNotConfiguredException">No relay is set; nothing was sent.</exception>
    Task<string> SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>A message was to be sent but <c>Mail:SmtpHost</c> (or the older <c>Alerts:Delivery:SmtpHost</c>) is not set.</summary>
public sealed class MailNotConfiguredException(string purpose)
    : InvalidOperationException($"{purpose} needs an SMTP relay, but Mail:SmtpHost (or Alerts:Delivery:SmtpHost) is not set.");

/// <summary>MailKit over one connection per message: sends are rare (alerts, invitations, scheduled reports).</summary>
public sealed class SmtpMailSender(IOptions<MailOptions> options) : IMailSender
{
    public bool Configured => !string.IsNullOrWhiteSpace(options.Value.SmtpHost);

    public async Task<string> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.SmtpHost))
        {
            throw new MailNotConfiguredException(message.Subject is { Length: > 0 } subject ? $"'{subject}'" : "The message");
        }

        if (message.From.Count == 0)
        {
            message.From.Add(MailboxAddress.Parse(settings.From));
        }

        using var client = new SmtpClient();
        await client.ConnectAsync(settings.SmtpHost, settings.SmtpPort, settings.SmtpSecurity, cancellationToken);
        if (!string.IsNullOrEmpty(settings.SmtpUserName))
        {
            await client.AuthenticateAsync(settings.SmtpUserName, settings.SmtpPassword ?? string.Empty, cancellationToken);
        }

        var accepted = await client.SendAsync(message, cancellationToken);
        // Accepted is accepted: a QUIT that fails (or is cancelled) afterwards must not make the caller send again.
        try
        {
            await client.DisconnectAsync(quit: true, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or MailKit.ProtocolException or MailKit.CommandException)
        {
            // The relay hung up first; the message is queued all the same.
        }

        return accepted;
    }
}

public static class MailHosting
{
    /// <summary>The relay's options (legacy section first, then Mail, validated at start) and the one sender.</summary>
    public static IServiceCollection AddMail(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MailOptions>()
            .Bind(configuration.GetSection(MailOptions.LegacySection))
            .Bind(configuration.GetSection(MailOptions.Section))
            .Validate(o => o.SmtpPort is > 0 and <= 65535, "Mail:SmtpPort must be 1-65535.")
            .Validate(o => MailboxAddress.TryParse(o.From, out _), "Mail:From must be an e-mail address, e.g. SalesDash <alerts@example.com>.")
            .ValidateOnStart();
        services.AddSingleton<IMailSender, SmtpMailSender>();
        return services;
    }
}
