using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
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
/// The whole app in memory like <see cref="WebAppFactory"/>, with alert evaluation polling fast, e-mail going to the
/// loopback SMTP server, and webhooks retried quickly, so a test replays hours of trade in seconds.
/// </summary>
public sealed class AlertsAppFactory : WebApplicationFactory<Program>
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("salesdash-alerts-").FullName;

    public FakeTimeProvider Clock { get; } = new(WebAppFactory.Now);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var smtp = Environment.GetEnvironmentVariable("SALESDASH_SMTP");
        builder.UseSetting("Engine:DataDirectory", _dataDirectory);
        builder.UseSetting("Engine:TilePublishInterval", "00:00:00.100");
        builder.UseSetting("Demo:Enabled", "false");
        // Features, not plans, are under test here: a self-hosted install puts every organisation on Enterprise.
        builder.UseSetting("Plans:SelfHosted", "true");
        builder.UseSetting("Alerts:ClockInterval", "00:00:00.100");
        builder.UseSetting("Engine:MinuteCheckInterval", "00:00:00.100");
        builder.UseSetting("Alerts:RulesRefreshInterval", "00:00:00.200");
        builder.UseSetting("Alerts:Delivery:WebhookFirstDelay", "00:00:00.050");
        if (!string.IsNullOrWhiteSpace(smtp))
        {
            var colon = smtp.LastIndexOf(':');
            builder.UseSetting("Alerts:Delivery:SmtpHost", smtp[..colon]);
            builder.UseSetting("Alerts:Delivery:SmtpPort", smtp[(colon + 1)..]);
        }

        foreach (var (store, index) in TestStore.All.Select((s, i) => (s, i)))
        {
            var prefix = $"Stores:{index}:";
            builder.UseSetting(prefix + "TenantId", store.TenantId);
            builder.UseSetting(prefix + "StoreId", store.StoreId);
            builder.UseSetting(prefix + "Name", $"{store.TenantId} {store.StoreId}");
            builder.UseSetting(prefix + "ShopDomain", store.ShopDomain);
            builder.UseSetting(prefix + "Currency", store.Currency);
            builder.UseSetting(prefix + "TimeZone", store.TimeZone);
            builder.UseSetting(prefix + "WebhookSecret", store.WebhookSecret);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    /// <summary>A SignalR connection to the dashboard hub, signed in as an Owner of every organisation.</summary>
    public HubConnection CreateHubConnection() => this.CreateSignedInHubConnection();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing store leaves a temp folder behind; the results stand.
        }
    }
}
