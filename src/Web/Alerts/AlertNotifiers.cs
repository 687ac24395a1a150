using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using MimeKit;
using Polly;
using Polly.Retry;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Alerts;
using SalesDash.Web.Hubs;
using SalesDash.Web.Mail;

namespace SalesDash.Web.Alerts;

/// <summary>How alert webhooks are retried; e-mail goes through the Mail capability's relay (src/Web/Mail).</summary>
public sealed class AlertDeliveryOptions
{
    public const string Section = "Alerts:Delivery";

    /// <summary>Attempts after the first for a webhook answering 5xx, 408, 429 or not at all.</summary>
    public int WebhookRetries { get; set; } = 4;

    /// <summary>First retry delay; each next one doubles (with jitter).</summary>
    public TimeSpan WebhookFirstDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// E-mails the rule's recipients through the one mail relay: the figures as plain text, and the same
/// lines as HTML under the organisation's branding (product name, colours, logo; SalesDash's without white-label).
/// </summary>
public sealed class EmailAlertNotifier(IMailSender mail, SalesDash.Web.Plans.IOrganisationBranding? branding = null) : IAlertNotifier
{
    public string Channel => "email";

    public async Task NotifyAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (notification.Rule.Recipients.Count == 0)
        {
            return;
        }

        if (!mail.Configured)
        {
            throw new MailNotConfiguredException("The rule's e-mail to its recipients");
        }

        var message = new MimeMessage();
        foreach (var recipient in notification.Rule.Recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        var text = EmailBody(notification);
        var brand = branding is null ? SalesDash.Web.Plans.Branding.SalesDash : await branding.GetAsync(notification.Alert.TenantId, cancellationToken);
        message.Subject = notification.Subject.Replace("[SalesDash]", $"[{brand.ProductName}]", StringComparison.Ordinal);
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = BrandedHtml(text, brand) }.ToMessageBody();
        await mail.SendAsync(message, cancellationToken);
    }

    /// <summary>The plain-text lines as HTML under the organisation's header; colours and logo pass only when well-formed.</summary>
    internal static string BrandedHtml(string text, SalesDash.Web.Plans.Branding brand)
    {
        ArgumentNullException.ThrowIfNull(brand);
        static bool Hex(string c) => c.Length is >= 4 and <= 9 && c[0] == '#' && c.Skip(1).All(char.IsAsciiHexDigit);
        var primary = Hex(brand.PrimaryColour) ? brand.PrimaryColour : SalesDash.Web.Plans.Branding.SalesDash.PrimaryColour;
        var accent = Hex(brand.AccentColour) ? brand.AccentColour : SalesDash.Web.Plans.Branding.SalesDash.AccentColour;
        var logo = brand.LogoDataUri is { } uri && uri.StartsWith("data:image/", StringComparison.OrdinalIgnoreCase)
            ? $"<img src=\"{WebUtility.HtmlEncode(uri)}\" alt=\"\" style=\"max-height:32px;vertical-align:middle;margin-right:8px\">"
            : string.Empty;
        var lines = string.Concat(text.TrimEnd('\n').Split('\n').Select(l => l.Length == 0 ? "<br>" : $"<div>{WebUtility.HtmlEncode(l)}</div>"));
        return $"<!DOCTYPE html><html><body style=\"font-family:Arial,sans-serif;color:#1f2328;margin:0\">"
            + $"<div style=\"background:{primary};color:#fff;padding:14px 22px\">{logo}<strong style=\"font-size:18px\">{WebUtility.HtmlEncode(brand.ProductName)}</strong></div>"
            + $"<div style=\"padding:14px 22px;border-left:4px solid {accent}\">{lines}</div></body></html>";
    }

    /// <summary>The sentence, then the figures one per line, so a reader can check them without the dashboard.</summary>
    internal static string EmailBody(AlertNotification notification)
    {
        var alert = notification.Alert;
        var f = notification.Kind == AlertNotificationKind.Resolved && alert.ResolvedFigures is { } resolved ? resolved : alert.Figures;
        var lines = new List<string>
        {
            notification.Text,
            string.Empty,
            $"Store: {alert.TenantId}/{alert.StoreId}",
            $"Rule: {alert.RuleName} ({alert.Kind})",
            $"Fired at: {alert.FiredAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC",
        };
        if (alert.ResolvedAt is { } at)
        {
            lines.Add($"Resolved at: {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        }

        lines.Add($"Observed: {(alert.Kind == AlertRuleKind.NoOrders ? $"{f.Observed} minutes without an order" : AlertText.FigureOf(f, f.Observed))}");
        if (f.Expected is { } expected)
        {
            lines.Add($"Expected: {(alert.Kind == AlertRuleKind.NoOrders ? $"{expected} orders in the same minutes last week" : AlertText.FigureOf(f, expected))}");
        }

        if (f.Lower is { } lower && f.Upper is { } upper)
        {
            lines.Add($"Normal range: {AlertText.Figure(f.Metric, lower, f.Currency)} to {AlertText.Figure(f.Metric, upper, f.Currency)}");
        }

        if (f.ChangeRatio is { } ratio)
        {
            lines.Add($"Change: {ratio * 100m:0.#}%");
        }

        lines.Add($"Alert id: {alert.Id}");
        return string.Join("\n", lines) + "\n";
    }
}

/// <summary>
/// Posts {"text": ...} (what Slack's incoming webhooks read) to the rule's webhook, retrying with exponential backoff
/// while the receiver answers 5xx, 408 or 429 or cannot be reached.
/// </summary>
public sealed class WebhookAlertNotifier : IAlertNotifier
{
    /// <summary>The named HttpClient the notifier posts with.</summary>
    public const string HttpClientName = "alerts-webhook";

    private readonly IHttpClientFactory _clients;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;

    public WebhookAlertNotifier(IHttpClientFactory clients, IOptions<AlertDeliveryOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clients = clients;
        var settings = options.Value;
        // Backoff is network time, not business time: it runs on the real clock even when the app's clock is a test's.
        _retry = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(1, settings.WebhookRetries),
                Delay = settings.WebhookFirstDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TaskCanceledException>()
                    .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(settings.WebhookTimeout * (settings.WebhookRetries + 2))
            .Build();
    }

    public string Channel => "webhook";

    public async Task NotifyAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (notification.Rule.WebhookUrl is not { } url)
        {
            return;
        }

        var client = _clients.CreateClient(HttpClientName);
        var payload = new SlackMessage(notification.Text);
        using var response = await _retry.ExecuteAsync(
            async ct => await client.PostAsJsonAsync(new Uri(url), payload, ct),
            cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private sealed record SlackMessage(string Text);
}

/// <summary>What an open dashboard receives as the "alert" hub message: enough for a toast, figures included.</summary>
public sealed record AlertToast(
    string AlertId,
    string TenantId,
    string StoreId,
    string RuleName,
    string Kind,
    string Status,
    string Text,
    DateTimeOffset FiredAt,
    DateTimeOffset? ResolvedAt,
    AlertFiguresView Figures);

/// <summary>Sends a toast to the store's dashboard group over SignalR, when the rule asks for in-app alerts.</summary>
public sealed class ToastAlertNotifier(IHubContext<DashboardHub, IDashboardClient> hub) : IAlertNotifier
{
    public string Channel => "in-app";

    public Task NotifyAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (!notification.Rule.InApp)
        {
            return Task.CompletedTask;
        }

        var a = notification.Alert;
        var toast = new AlertToast(a.Id, a.TenantId, a.StoreId, a.RuleName, a.Kind.ToString(), a.Status.ToString(), notification.Text, a.FiredAt,
            a.ResolvedAt, AlertFiguresView.Of(notification.Kind == AlertNotificationKind.Resolved && a.ResolvedFigures is { } r ? r : a.Figures));
        // The store's dashboards and every page's toast host of the organisation (two groups, so each browser gets one copy per connection).
        return hub.Clients.Groups(DashboardHub.GroupFor(new StoreRef(a.TenantId, a.StoreId)), DashboardHub.AlertsGroupFor(a.TenantId)).Alert(toast, cancellationToken);
    }
}
