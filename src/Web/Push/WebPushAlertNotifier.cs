using System.Net;
using System.Text.Json;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.Extensions.Options;
using SalesDash.Engine.Alerts;

namespace SalesDash.Web.Push;

/// <summary>What the service worker reads from a push: the notification's words and where a tap leads.</summary>
public sealed record PushAlertPayload(string Title, string Body, string Tag, string Url, string AlertId, string TenantId, string StoreId, string Status);

/// <summary>
/// Sends the in-app toast as a web push (RFC 8030, aes128gcm per RFC 8291, VAPID per RFC 8292) to every browser of the
/// organisation's members, so an alert reaches a phone whose page is closed. Subscriptions the push service calls
/// gone (404/410) are forgotten.
/// </summary>
public sealed class WebPushAlertNotifier(
    PushSubscriptions subscriptions, VapidKeyProvider keys, IHttpClientFactory clients, IOptions<PushOptions> options, ILogger<WebPushAlertNotifier> log)
    : IAlertNotifier
{
    /// <summary>The named HttpClient pushes go out on: the outbound policy keeps it off internal addresses.</summary>
    public const string HttpClientName = "web-push";

    /// <summary>RFC 8291 leaves 3993 bytes of plaintext in a 4096-byte record; the body is cut well inside that.</summary>
    private const int MaxBodyLength = 1000;

    public string Channel => "push";

    public async Task NotifyAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        // Push is the toast for a closed page: it follows the rule's in-app choice.
        if (!notification.Rule.InApp)
        {
            return;
        }

        var alert = notification.Alert;
        var targets = await subscriptions.OfOrganisationAsync(alert.TenantId, cancellationToken);
        if (targets.Count == 0)
        {
            return;
        }

        var pair = await keys.GetAsync(cancellationToken);
        using var vapid = new VapidAuthentication(pair.PublicKey, pair.PrivateKey) { Subject = options.Value.Subject };
        var client = new PushServiceClient(clients.CreateClient(HttpClientName))
        {
            DefaultAuthentication = vapid,
            DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid,
            DefaultTimeToLive = (int)options.Value.TimeToLive.TotalSeconds,
        };
        var text = notification.Text.Length > MaxBodyLength ? notification.Text[..(MaxBodyLength - 1)] + "…" : notification.Text;
        var payload = JsonSerializer.Serialize(Payload(notification, text), JsonSerializerOptions.Web);
        var failed = new List<string>();
        foreach (var target in targets)
        {
            var subscription = new PushSubscription { Endpoint = target.Endpoint };
            subscription.SetKey(PushEncryptionKeyName.P256DH, target.P256dh);
            subscription.SetKey(PushEncryptionKeyName.Auth, target.Auth);
            try
            {
                await client.RequestPushMessageDeliveryAsync(subscription, new PushMessage(payload) { Urgency = PushMessageUrgency.High }, cancellationToken);
            }
            catch (PushServiceClientException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                // The browser unsubscribed or the subscription expired: it will never accept another push.
                await subscriptions.ForgetAsync(target.Id, cancellationToken);
                log.LogInformation("Push subscription {Id} of user {User} is gone ({Status}); forgotten.", target.Id, target.UserId, (int)e.StatusCode);
            }
            catch (Exception e) when (e is PushServiceClientException or HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
            {
                // One push service failing must not keep the alert from the other browsers.
                log.LogWarning(e, "Push of alert {Alert} to subscription {Id} failed.", alert.Id, target.Id);
                failed.Add(target.Id);
            }
        }

        if (failed.Count == targets.Count)
        {
            throw new InvalidOperationException($"No push service accepted alert {alert.Id} ({failed.Count} subscriptions tried).");
        }
    }

    internal static PushAlertPayload Payload(AlertNotification notification, string text)
    {
        var a = notification.Alert;
        var resolved = notification.Kind == AlertNotificationKind.Resolved;
        var title = resolved ? $"Resolved: {a.RuleName} ({a.StoreId})" : $"{a.RuleName} ({a.StoreId})";
        var url = $"/t/{Uri.EscapeDataString(a.TenantId)}/alerts?alert={Uri.EscapeDataString(a.Id)}";
        return new(title, text, $"alert-{a.Id}", url, a.Id, a.TenantId, a.StoreId, resolved ? "Resolved" : a.Status.ToString());
    }
}
