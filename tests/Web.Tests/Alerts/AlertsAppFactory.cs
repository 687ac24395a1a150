using Microsoft.AspNetCore.SignalR.Client;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Alerts;

/// <summary>Where the loopback SMTP server of scripts/services/smtp.sh listens and stores mail; a test that needs it fails without it.</summary>
internal static class SmtpServer
{
    public static (string Host, int Port, string Maildir) Require()
    {
        var address = Environment.GetEnvironmentVariable("SALESDASH_SMTP");
        var maildir = Environment.GetEnvironmentVariable("SALESDASH_SMTP_MAILDIR");
        if (string.IsNullOrWhiteSpace(address) || string.IsNullOrWhiteSpace(maildir))
        {
            Assert.Fail("SALESDASH_SMTP and SALESDASH_SMTP_MAILDIR are not set: run scripts/services/smtp.sh and export its last line as "
                + "SALESDASH_SMTP and the line before as SALESDASH_SMTP_MAILDIR.");
        }

        var colon = address.LastIndexOf(':');
        return (address[..colon], int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), maildir);
    }

    /// <summary>Messages in the maildir whose text contains <paramref name="marker"/>, parsed.</summary>
    public static IReadOnlyList<MimeKit.MimeMessage> MessagesContaining(string maildir, string marker)
    {
        var found = new List<MimeKit.MimeMessage>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(maildir, "new")).Concat(Directory.EnumerateFiles(Path.Combine(maildir, "cur"))))
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (IOException)
            {
                continue;
            }

            if (text.Contains(marker, StringComparison.Ordinal))
            {
                found.Add(MimeKit.MimeMessage.Load(file));
            }
        }

        return found;
    }
}

/// <summary>
/// The shared <see cref="SalesDashHost"/> with alert evaluation polling fast, e-mail going to the loopback SMTP server,
/// and webhooks retried quickly, so a test replays hours of trade in seconds.
/// </summary>
public sealed class AlertsAppFactory() : SalesDashHost(new SalesDashHostOptions
{
    LoopbackSmtp = true,
    Settings = new Dictionary<string, string>
    {
        ["Alerts:ClockInterval"] = "00:00:00.100",
        ["Engine:MinuteCheckInterval"] = "00:00:00.100",
        ["Alerts:RulesRefreshInterval"] = "00:00:00.200",
        ["Alerts:Delivery:WebhookFirstDelay"] = "00:00:00.050",
    },
})
{
    /// <summary>A SignalR connection to the dashboard hub, signed in as an Owner of every organisation.</summary>
    public HubConnection CreateHubConnection() => this.CreateSignedInHubConnection();
}
