using System.Globalization;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Ingestion;

/// <summary>An event that must not be folded in; the message says why, for the sender.</summary>
public sealed class InvalidCommerceEventException(string message) : Exception(message);

/// <summary>
/// Checks made before an event becomes durable. Time matters most: the entity ages its minutes and dedupe
/// memory by event time, so one event dated far ahead would push every real minute out of the window.
/// </summary>
public static class CommerceEventGuard
{
    /// <summary>How far ahead of our clock an event may be dated: generous for skewed sender clocks,
    /// far below the hours that would age out real data.</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromHours(1);

    /// <summary>Null when the event may be ingested, else what is wrong with it.</summary>
    public static string? Problem(CommerceEvent commerceEvent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        var latest = now + MaxFutureSkew;
        if (commerceEvent.OccurredAt > latest)
        {
            return $"the event is dated {Format(commerceEvent.OccurredAt)}, more than {MaxFutureSkew.TotalMinutes:0} minutes after now ({Format(now)})";
        }

        return commerceEvent switch
        {
            OrderEvent order when order.PlacedAt > latest =>
                $"order {order.OrderId} was placed at {Format(order.PlacedAt)}, more than {MaxFutureSkew.TotalMinutes:0} minutes after now ({Format(now)})",
            OrderEvent order when order.TotalPrice < 0 => $"order {order.OrderId} has a negative total price",
            RefundIssued refund when refund.Amount < 0 => $"refund {refund.RefundId} has a negative amount",
            _ when !TimeZoneInfo.TryFindSystemTimeZoneById(commerceEvent.StoreTimeZone, out _) => $"unknown time zone '{commerceEvent.StoreTimeZone}'",
            _ => null,
        };
    }

    /// <summary>Throws <see cref="InvalidCommerceEventException"/> when <see cref="Problem"/> finds something.</summary>
    public static void EnsureValid(CommerceEvent commerceEvent, DateTimeOffset now)
    {
        if (Problem(commerceEvent, now) is { } problem)
        {
            throw new InvalidCommerceEventException(problem);
        }
    }

    private static string Format(DateTimeOffset instant) => instant.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
