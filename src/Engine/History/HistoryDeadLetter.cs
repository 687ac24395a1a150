using System.Text.Json;

namespace SalesDash.Engine.History;

/// <summary>
/// A fact or minute row the history store refused on its own (a money figure outside Decimal(18,2), a product that
/// overflows) while the store itself was answering: kept with the reason, so an Admin sees what history is missing
/// and why, instead of the writer retrying it forever and holding every other tenant's facts back.
/// </summary>
/// <param name="Kind">What was refused: order, refund, session, touch, spend, shipment, traffic, minute or event.</param>
/// <param name="Key">The item's own id within its store (order id, refund id, minute, ...); with the kind it names the item once.</param>
/// <param name="Reason">The store's (or the fact builder's) error message.</param>
/// <param name="Payload">The item as JSON, so nothing of it is lost.</param>
public sealed record HistoryDeadLetter(string TenantId, string StoreId, string Kind, string Key, string Reason, string Payload, DateTimeOffset At)
{
    /// <summary>Longest reason kept: a store's message can quote the whole failing row.</summary>
    public const int MaxReasonLength = 2000;

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    public static HistoryDeadLetter Of(string tenantId, string storeId, string kind, string key, object item, Exception cause, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(cause);
        return new HistoryDeadLetter(tenantId, storeId, kind, key, ReasonOf(cause), JsonSerializer.Serialize(item, item.GetType(), PayloadJson), at);
    }

    /// <summary>The innermost useful message: wrappers (aggregate, target-invocation) say nothing of the row.</summary>
    public static string ReasonOf(Exception cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        var root = cause;
        while (root is AggregateException { InnerException: { } inner })
        {
            root = inner;
        }

        var text = $"{root.GetType().Name}: {root.Message}".Trim();
        return text.Length <= MaxReasonLength ? text : text[..MaxReasonLength];
    }
}

/// <summary>Where dead letters are kept (the history store itself) and how a store says it is answering at all.</summary>
public interface IHistoryDeadLetters
{
    /// <summary>True when the store answers a trivial query: a failed write was then the data's fault, not the store's.</summary>
    Task<bool> IsReachableAsync(CancellationToken cancellationToken);

    /// <summary>Keeps the letters; writing the same (tenant, store, kind, key) again replaces it.</summary>
    Task WriteDeadLettersAsync(IReadOnlyCollection<HistoryDeadLetter> letters, CancellationToken cancellationToken);

    /// <summary>The tenant's dead letters, newest first.</summary>
    Task<IReadOnlyList<HistoryDeadLetter>> DeadLettersAsync(string tenantId, int limit, CancellationToken cancellationToken);
}
