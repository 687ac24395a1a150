using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Web.Alerts;
using SalesDash.Web.Mail;

namespace SalesDash.Web.Tests.Alerts;

/// <summary>The notifiers against real servers on loopback: aiosmtpd for e-mail, a Kestrel app for the webhook.</summary>
public sealed class AlertDeliveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AlertNotification Notification(AlertRule rule)
    {
        var figures = new AlertFigures(AlertMetric.Revenue, 412.50m, 1250.00m, 900.00m, 1600.00m, -0.67m, 15,
            new DateTimeOffset(2026, 11, 25, 14, 0, 0, TimeSpan.Zero), "GBP", AnomalySeverity.High);
        var alert = new Alert
        {
            Id = Guid.NewGuid().ToString("N"),
            TenantId = "acme",
            StoreId = "uk-shop",
            RuleId = rule.Id,
            RuleName = rule.Name,
            Kind = rule.Kind,
            Status = AlertStatus.Firing,
            FiredAt = figures.Minute.AddMinutes(1),
            Message = AlertText.Fired(rule, figures),
            Figures = figures,
        };
        return new AlertNotification(alert, rule, AlertNotificationKind.Fired, HeldByQuietHours: false);
    }

    private static AlertRule Rule(IReadOnlyList<string>? recipients = null, string? webhook = null) => new()
    {
        Id = "r1",
        TenantId = "acme",
        Name = "Revenue anomaly",
        Kind = AlertRuleKind.Anomaly,
        Recipients = recipients ?? [],
        WebhookUrl = webhook,
    };

    [Fact]
    public async Task Email_arrives_at_the_smtp_server_with_the_figures()
    {
        var (host, port, maildir) = SmtpServer.Require();
        var recipient = $"ops-{Guid.NewGuid():N}@acme.test";
        var notification = Notification(Rule([recipient, "owner@acme.test"]));
        var notifier = new EmailAlertNotifier(new SmtpMailSender(Options.Create(new MailOptions { SmtpHost = host, SmtpPort = port })));

        await notifier.NotifyAsync(notification, Ct);

        var message = Assert.Single(await WaitForMailAsync(maildir, notification.Alert.Id));
        Assert.Equal([recipient, "owner@acme.test"], message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("[SalesDash] Revenue anomaly (uk-shop)", message.Subject);
        var body = message.TextBody;
        Assert.Contains("Revenue anomaly: Revenue over the last 15 minutes is GBP 412.50, expected GBP 1,250.00 (normal range GBP 900.00 to GBP 1,600.00), 67% below; severity high.", body, StringComparison.Ordinal);
        Assert.Contains("Observed: GBP 412.50", body, StringComparison.Ordinal);
        Assert.Contains("Normal range: GBP 900.00 to GBP 1,600.00", body, StringComparison.Ordinal);
        Assert.Contains("Fired at: 2026-11-25 14:01 UTC", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_delivery_is_retried_on_500_and_then_succeeds()
    {
        var attempts = new List<string>();
        await using var receiver = await StartReceiverAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            int attempt;
            lock (attempts)
            {
                attempts.Add(body);
                attempt = attempts.Count;
            }

            // Down twice, then up: what a restarting chat service looks like.
            context.Response.StatusCode = attempt <= 2 ? StatusCodes.Status500InternalServerError : StatusCodes.Status200OK;
        });

        var notification = Notification(Rule(webhook: $"{receiver.Url}/hooks/alerts"));
        using var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        var notifier = new WebhookAlertNotifier(services.GetRequiredService<IHttpClientFactory>(),
            Options.Create(new AlertDeliveryOptions { WebhookRetries = 4, WebhookFirstDelay = TimeSpan.FromMilliseconds(50) }));

        await notifier.NotifyAsync(notification, Ct);

        Assert.Equal(3, attempts.Count);
        using var payload = JsonDocument.Parse(attempts[^1]);
        Assert.Equal(notification.Alert.Message, payload.RootElement.GetProperty("text").GetString());
        Assert.All(attempts, a => Assert.Equal(attempts[0], a));
    }

    [Fact]
    public async Task Webhook_that_stays_down_fails_after_its_retries()
    {
        var count = 0;
        await using var receiver = await StartReceiverAsync(context =>
        {
            Interlocked.Increment(ref count);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });

        using var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        var notifier = new WebhookAlertNotifier(services.GetRequiredService<IHttpClientFactory>(),
            Options.Create(new AlertDeliveryOptions { WebhookRetries = 2, WebhookFirstDelay = TimeSpan.FromMilliseconds(20) }));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => notifier.NotifyAsync(Notification(Rule(webhook: $"{receiver.Url}/x")), Ct));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(3, count);
    }

    private static async Task<IReadOnlyList<MimeKit.MimeMessage>> WaitForMailAsync(string maildir, string marker)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var found = SmtpServer.MessagesContaining(maildir, marker);
            if (found.Count > 0 || DateTime.UtcNow > deadline)
            {
                return found;
            }

            await Task.Delay(100, Ct);
        }
    }

    private static async Task<Receiver> StartReceiverAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var web = builder.Build();
        web.Run(handler);
        await web.StartAsync(Ct);
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Receiver(web, address);
    }

    private sealed record Receiver(WebApplication Web, string Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Web.StopAsync();
            await Web.DisposeAsync();
        }
    }
}
