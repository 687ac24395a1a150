using Microsoft.Extensions.Options;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Web.Alerts;
using SalesDash.Web.Mail;
using SalesDash.Web.Plans;
using SalesDash.Web.Tests.Alerts;

namespace SalesDash.Web.Tests.Reports;

/// <summary>Alert e-mails carry the organisation's branding: its product name in the subject and an HTML part in its colours.</summary>
public sealed class AlertMailBrandingTests
{
    private sealed class WhiteLabel(Branding branding) : IOrganisationBranding
    {
        public Task<Branding> GetAsync(string tenantId, CancellationToken cancellationToken) =>
            Task.FromResult(tenantId == "acme" ? branding : Branding.SalesDash);
    }

    [Fact]
    public async Task Alert_mail_arrives_under_the_organisation_s_product_name_and_colours()
    {
        var (host, port, maildir) = SmtpServer.Require();
        var recipient = $"brand-{Guid.NewGuid():N}@acme.test";
        var rule = new AlertRule { Id = "r1", TenantId = "acme", Name = "Revenue anomaly", Kind = AlertRuleKind.Anomaly, Recipients = [recipient] };
        var figures = new AlertFigures(AlertMetric.Revenue, 412.50m, 1250.00m, 900.00m, 1600.00m, -0.67m, 15,
            new DateTimeOffset(2026, 11, 25, 14, 0, 0, TimeSpan.Zero), "GBP", AnomalySeverity.High);
        var alert = new Alert
        {
            Id = Guid.NewGuid().ToString("N"), TenantId = "acme", StoreId = "uk-shop", RuleId = rule.Id, RuleName = rule.Name, Kind = rule.Kind,
            Status = AlertStatus.Firing, FiredAt = figures.Minute.AddMinutes(1), Message = AlertText.Fired(rule, figures), Figures = figures,
        };
        var brand = new Branding("Acme Insights", "#123456", "#abcdef", "data:image/png;base64,iVBORw0KGgo=");
        var notifier = new EmailAlertNotifier(new SmtpMailSender(Options.Create(new MailOptions { SmtpHost = host, SmtpPort = port })), new WhiteLabel(brand));

        await notifier.NotifyAsync(new AlertNotification(alert, rule, AlertNotificationKind.Fired, HeldByQuietHours: false), TestContext.Current.CancellationToken);

        var message = Assert.Single(SmtpServer.MessagesContaining(maildir, recipient));
        Assert.Equal("[Acme Insights] Revenue anomaly (uk-shop)", message.Subject);
        Assert.Contains("Observed: GBP 412.50", message.TextBody, StringComparison.Ordinal);
        var html = message.HtmlBody!;
        Assert.Contains("Acme Insights", html, StringComparison.Ordinal);
        Assert.Contains("background:#123456", html, StringComparison.Ordinal);
        Assert.Contains("data:image/png;base64,iVBORw0KGgo=", html, StringComparison.Ordinal);
        Assert.Contains("Observed: GBP 412.50", html, StringComparison.Ordinal);
        Assert.DoesNotContain("SalesDash", html, StringComparison.Ordinal);
    }
}
