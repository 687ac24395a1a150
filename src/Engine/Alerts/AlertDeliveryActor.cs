using Akka.Actor;
using Akka.Event;

namespace SalesDash.Engine.Alerts;

/// <summary>What a notifier is asked to send: the alert, its rule (recipients, channels) and the sentence to send.</summary>
public sealed record AlertNotification(Alert Alert, AlertRule Rule, AlertNotificationKind Kind, bool HeldByQuietHours)
{
    /// <summary>The text people read: the firing sentence, or the resolution with the figures it resolved on.</summary>
    public string Text => Kind == AlertNotificationKind.Resolved
        ? AlertText.Resolved(Alert)
        : HeldByQuietHours ? $"{Alert.Message} (Held during quiet hours; still going on.)" : Alert.Message;

    /// <summary>A one-line subject for e-mail.</summary>
    public string Subject => Kind == AlertNotificationKind.Resolved
        ? $"[SalesDash] Resolved: {Alert.RuleName} ({Alert.StoreId})"
        : $"[SalesDash] {Alert.RuleName} ({Alert.StoreId})";
}

/// <summary>One way of telling people (e-mail, webhook, in-app toast); it decides from the rule whether it applies.</summary>
public interface IAlertNotifier
{
    /// <summary>A short name for logs ("email", "webhook", "in-app").</summary>
    string Channel { get; }

    /// <summary>Sends the notification if the rule asks for this channel; throws when it finally could not.</summary>
    Task NotifyAsync(AlertNotification notification, CancellationToken cancellationToken);
}

/// <summary>
/// One per node: hands each notification to every notifier at once, so a slow mail server or a retrying webhook never
/// holds up a store's evaluator. A notification held through quiet hours is dropped if someone acknowledged the alert
/// meanwhile: they already know.
/// </summary>
public sealed class AlertDeliveryActor : ReceiveActor
{
    /// <summary>Longest a delivery (with its retries) may take before it is abandoned.</summary>
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromMinutes(2);

    private readonly ILoggingAdapter _log = Context.GetLogger();

    public AlertDeliveryActor(IEnumerable<IAlertNotifier> notifiers, IAlertStore alerts)
    {
        var all = notifiers.ToArray();
        Receive<Deliver>(deliver => DeliverAsync(all, alerts, deliver.Notification).PipeTo(Self));
        Receive<Delivered>(d =>
        {
            foreach (var (channel, error) in d.Failures)
            {
                _log.Warning(error, "Alert {0} could not be delivered by {1}", d.AlertId, channel);
            }
        });
        Receive<Status.Failure>(f => _log.Warning(f.Cause, "Alert delivery failed"));
    }

    private static async Task<Delivered> DeliverAsync(IAlertNotifier[] notifiers, IAlertStore alerts, AlertNotification notification)
    {
        using var timeout = new CancellationTokenSource(DeliveryTimeout);
        if (notification.HeldByQuietHours
            && await alerts.GetAlertAsync(notification.Alert.TenantId, notification.Alert.Id, timeout.Token) is { Status: not AlertStatus.Firing })
        {
            return new Delivered(notification.Alert.Id, []);
        }

        var failures = new List<(string, Exception)>();
        await Task.WhenAll(notifiers.Select(async n =>
        {
            try
            {
                await n.NotifyAsync(notification, timeout.Token);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                lock (failures)
                {
                    failures.Add((n.Channel, e));
                }
            }
        }));
        return new Delivered(notification.Alert.Id, failures);
    }

    /// <summary>Send this notification through every channel its rule asks for.</summary>
    public sealed record Deliver(AlertNotification Notification);

    private sealed record Delivered(string AlertId, IReadOnlyList<(string Channel, Exception Error)> Failures);
}
