using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using SalesDash.Web.Mail;
using SalesDash.Web.Tests.Alerts;

namespace SalesDash.Web.Tests.Mail;

/// <summary>The one mail capability: configuration from either section, the sender filled in, and a clear refusal without a relay.</summary>
public sealed class MailSenderTests
{
    private static MailOptions Bound(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddMail(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<MailOptions>>().Value;
    }

    [Fact]
    public void The_older_alerts_delivery_section_still_configures_the_relay()
    {
        var options = Bound(new() { ["Alerts:Delivery:SmtpHost"] = "relay.old", ["Alerts:Delivery:SmtpPort"] = "2526" });

        Assert.Equal("relay.old", options.SmtpHost);
        Assert.Equal(2526, options.SmtpPort);
    }

    [Fact]
    public void The_mail_section_wins_over_the_older_one_key_by_key()
    {
        var options = Bound(new()
        {
            ["Alerts:Delivery:SmtpHost"] = "relay.old", ["Alerts:Delivery:SmtpPort"] = "2526",
            ["Mail:SmtpHost"] = "relay.new", ["Mail:From"] = "Ops <ops@acme.test>",
        });

        Assert.Equal("relay.new", options.SmtpHost);
        Assert.Equal(2526, options.SmtpPort);
        Assert.Equal("Ops <ops@acme.test>", options.From);
    }

    [Fact]
    public void A_port_out_of_range_is_refused_at_start()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Mail:SmtpPort"] = "70000" }).Build();
        using var services = new ServiceCollection().AddMail(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<MailOptions>>().Value);
        Assert.Contains("Mail:SmtpPort must be 1-65535.", error.Failures);
    }

    [Fact]
    public async Task Without_a_relay_nothing_is_sent_and_the_error_names_the_setting()
    {
        var sender = new SmtpMailSender(Options.Create(new MailOptions()));
        var message = new MimeMessage { Subject = "Weekly report" };
        message.To.Add(MailboxAddress.Parse("owner@acme.test"));

        Assert.False(sender.Configured);
        var error = await Assert.ThrowsAsync<MailNotConfiguredException>(() => sender.SendAsync(message, TestContext.Current.CancellationToken));
        Assert.Contains("Mail:SmtpHost", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_without_a_sender_arrives_from_the_configured_address()
    {
        var (host, port, maildir) = SmtpServer.Require();
        var sender = new SmtpMailSender(Options.Create(new MailOptions { SmtpHost = host, SmtpPort = port, From = "Acme Ops <ops@acme.test>" }));
        var recipient = $"mail-{Guid.NewGuid():N}@acme.test";
        var message = new MimeMessage { Subject = "Hello", Body = new TextPart("plain") { Text = "One relay for every e-mail." } };
        message.To.Add(MailboxAddress.Parse(recipient));

        await sender.SendAsync(message, TestContext.Current.CancellationToken);

        var arrived = Assert.Single(SmtpServer.MessagesContaining(maildir, recipient));
        Assert.Equal("ops@acme.test", Assert.Single(arrived.From.Mailboxes).Address);
        Assert.Equal("One relay for every e-mail.", arrived.TextBody?.Trim());
    }
}
