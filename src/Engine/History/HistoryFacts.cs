using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;

namespace SalesDash.Engine.History;

/// <summary>
/// One order at one version, as history keeps it: the order-level figures the dashboard sums and its lines for
/// product drill-down. Idempotent by (tenant, store, order id); the highest <see cref="Version"/> wins.
/// </summary>
/// <param name="Version">The order's version in Unix milliseconds, so both stores compare it as a plain integer.</param>
/// <param name="Source">Where the order came from (Shopify's source_name, a referrer); "unknown" when the platform did not say.</param>
/// <param name="Country">ISO country code of the order; "unknown" when absent.</param>
public sealed record OrderFact(
    string TenantId,
    string StoreId,
    SalesChannel Channel,
    string OrderId,
    long Version,
    DateTimeOffset PlacedAt,
    string Currency,
    decimal Total,
    int Units,
    bool ReturningCustomer,
    bool Cancelled,
    string Source,
    string Country,
    IReadOnlyList<OrderLineFact> Lines)
{
    /// <summary>
    /// Who bought, as customer figures count them (see <see cref="HistoryFacts.CustomerKey"/>); "" for an unidentified guest.
    /// An init property rather than a positional one, so facts built before customers were kept still read as guests.
    /// </summary>
    public string CustomerKey { get; init; } = string.Empty;
}

/// <summary>One line of an <see cref="OrderFact"/>; <paramref name="LineRevenue"/> is quantity × unit price rounded to the cent.</summary>
public sealed record OrderLineFact(int LineNo, string Sku, string Title, int Quantity, decimal UnitPrice, decimal LineRevenue);

/// <summary>Money returned, counted at the minute it happened; idempotent by (tenant, store, refund id).</summary>
public sealed record RefundFact(
    string TenantId,
    string StoreId,
    SalesChannel Channel,
    string RefundId,
    string OrderId,
    DateTimeOffset OccurredAt,
    decimal Amount,
    int Units,
    IReadOnlyList<RefundLineFact> Lines);

/// <summary>The SKU, units and worth (quantity × price, to the cent) of one refunded line, for return rates per product.</summary>
public sealed record RefundLineFact(int LineNo, string Sku, int Quantity, decimal Amount);

/// <summary>A storefront session, for conversion; idempotent by (tenant, store, session id).</summary>
public sealed record SessionFact(string TenantId, string StoreId, SalesChannel Channel, string SessionId, DateTimeOffset StartedAt, string Source);

/// <summary>
/// One carrier-tracking event of one parcel; idempotent by (tenant, store, carrier, tracking code, event id). A parcel's
/// state is its newest event's (by <see cref="UpdatedAt"/>); optional texts are "" and unknown instants null.
/// </summary>
public sealed record ShipmentFact(
    string TenantId,
    string StoreId,
    string Carrier,
    string TrackingCode,
    string EventId,
    string Status,
    string StatusDetail,
    string OrderId,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? EstimatedDelivery,
    DateTimeOffset? ShippedAt,
    DateTimeOffset? DeliveredAt,
    string PublicUrl);

/// <summary>
/// Facts to write in one go. Building it coalesces by key, so a batch never holds one order twice (the newest
/// version is kept) and the stores never see a key twice in one write.
/// </summary>
public sealed class HistoryBatch : IWriteBatch<HistoryBatch>
{
    private readonly Dictionary<(string, string, string), OrderFact> _orders = [];
    private readonly Dictionary<(string, string, string), RefundFact> _refunds = [];
    private readonly Dictionary<(string, string, string), SessionFact> _sessions = [];
    private readonly Dictionary<(string, string, string, long), OrderTouch> _touches = [];
    private readonly Dictionary<(string, string, string), SpendFact> _spend = [];
    private readonly Dictionary<(string, string, string, string, string), ShipmentFact> _shipments = [];
    private readonly Dictionary<(string, string, DateOnly, string, string), TrafficFact> _traffic = [];

    public IReadOnlyCollection<OrderFact> Orders => _orders.Values;

    public IReadOnlyCollection<RefundFact> Refunds => _refunds.Values;

    public IReadOnlyCollection<SessionFact> Sessions => _sessions.Values;

    /// <summary>Orders' touches and buyers for multi-channel insight, in the reporting currency.</summary>
    public IReadOnlyCollection<OrderTouch> Touches => _touches.Values;

    public IReadOnlyCollection<SpendFact> Spend => _spend.Values;

    public IReadOnlyCollection<ShipmentFact> Shipments => _shipments.Values;

    public IReadOnlyCollection<TrafficFact> Traffic => _traffic.Values;

    public int Count => _orders.Count + _refunds.Count + _sessions.Count + _touches.Count + _spend.Count + _shipments.Count + _traffic.Count;

    /// <summary>Adds the facts an accepted event carries: history's own and multi-channel insight's.</summary>
    /// <summary>
    /// Adds the event's facts, both or neither: both are made before either is added, so an event that cannot become
    /// facts (it throws) leaves the batch as it was, and the batch's other events still go.
    /// </summary>
    public void Add(CommerceEvent commerceEvent)
    {
        var fact = HistoryFacts.From(commerceEvent);
        var insight = InsightFacts.From(commerceEvent);
        if (fact is not null)
        {
            AddFact(fact);
        }

        if (insight is not null)
        {
            AddFact(insight);
        }
    }

    /// <summary>
    /// Every version of an order's touch is kept (once): the stores collapse them on read, taking the visit from the
    /// earliest version that names one and the rest from the newest, so the answer does not depend on arrival order.
    /// </summary>
    public void Add(OrderTouch touch)
    {
        ArgumentNullException.ThrowIfNull(touch);
        _touches.TryAdd((touch.TenantId, touch.StoreId, touch.OrderId, touch.Version), touch);
    }

    public void Add(SpendFact spend)
    {
        ArgumentNullException.ThrowIfNull(spend);
        _spend.TryAdd((spend.TenantId, spend.StoreId, spend.SpendId), spend);
    }

    public void Add(ShipmentFact shipment)
    {
        ArgumentNullException.ThrowIfNull(shipment);
        _shipments.TryAdd((shipment.TenantId, shipment.StoreId, shipment.Carrier, shipment.TrackingCode, shipment.EventId), shipment);
    }

    public void Add(TrafficFact traffic)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        var key = (traffic.TenantId, traffic.StoreId, traffic.Day, traffic.Source, traffic.Medium);
        if (!_traffic.TryGetValue(key, out var held) || traffic.Version >= held.Version)
        {
            _traffic[key] = traffic;
        }
    }

    public void Add(OrderFact order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var key = (order.TenantId, order.StoreId, order.OrderId);
        if (!_orders.TryGetValue(key, out var held) || order.Version >= held.Version)
        {
            _orders[key] = order;
        }
    }

    public void Add(RefundFact refund)
    {
        ArgumentNullException.ThrowIfNull(refund);
        _refunds.TryAdd((refund.TenantId, refund.StoreId, refund.RefundId), refund);
    }

    public void Add(SessionFact session)
    {
        ArgumentNullException.ThrowIfNull(session);
        _sessions.TryAdd((session.TenantId, session.StoreId, session.SessionId), session);
    }

    /// <summary>Every fact held, orders first; each is one item to the writer's capacity and to splitting.</summary>
    public IEnumerable<object> Facts() =>
        Orders.Cast<object>().Concat(Refunds).Concat(Sessions).Concat(Touches).Concat(Spend).Concat(Shipments).Concat(Traffic);

    /// <summary>Adds one fact of any kind history keeps.</summary>
    public void AddFact(object fact)
    {
        switch (fact)
        {
            case OrderFact order:
                Add(order);
                break;
            case RefundFact refund:
                Add(refund);
                break;
            case SessionFact session:
                Add(session);
                break;
            case OrderTouch touch:
                Add(touch);
                break;
            case SpendFact spend:
                Add(spend);
                break;
            case ShipmentFact shipment:
                Add(shipment);
                break;
            case TrafficFact traffic:
                Add(traffic);
                break;
            default:
                throw new ArgumentException($"{fact?.GetType().Name ?? "null"} is not a history fact", nameof(fact));
        }
    }

    public void Absorb(HistoryBatch newer) => AddRange(newer);

    public (HistoryBatch First, HistoryBatch Second) Split()
    {
        var facts = Facts().ToList();
        if (facts.Count < 2)
        {
            throw new InvalidOperationException("A batch of fewer than two facts cannot be split.");
        }

        var first = new HistoryBatch();
        var second = new HistoryBatch();
        for (var i = 0; i < facts.Count; i++)
        {
            (i < facts.Count / 2 ? first : second).AddFact(facts[i]);
        }

        return (first, second);
    }

    public HistoryDeadLetter ToDeadLetter(Exception cause, DateTimeOffset at)
    {
        var fact = Facts().Single();
        var (tenant, store, kind, key) = fact switch
        {
            OrderFact o => (o.TenantId, o.StoreId, "order", o.OrderId),
            RefundFact r => (r.TenantId, r.StoreId, "refund", r.RefundId),
            SessionFact s => (s.TenantId, s.StoreId, "session", s.SessionId),
            OrderTouch t => (t.TenantId, t.StoreId, "touch", $"{t.OrderId}@{t.Version}"),
            SpendFact s => (s.TenantId, s.StoreId, "spend", s.SpendId),
            ShipmentFact p => (p.TenantId, p.StoreId, "shipment", $"{p.Carrier}/{p.TrackingCode}/{p.EventId}"),
            TrafficFact t => (t.TenantId, t.StoreId, "traffic", $"{t.Day:yyyy-MM-dd}/{t.Source}/{t.Medium}"),
            _ => throw new InvalidOperationException($"{fact.GetType().Name} is not a history fact"),
        };
        return HistoryDeadLetter.Of(tenant, store, kind, key, fact, cause, at);
    }

    /// <summary>Everything of <paramref name="other"/> joins this batch, with the same newest-wins rule.</summary>
    public void AddRange(HistoryBatch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var fact in other.Facts())
        {
            AddFact(fact);
        }
    }
}

/// <summary>Turns accepted commerce events into history facts; pure, so the entity, imports and tests share it.</summary>
public static class HistoryFacts
{
    /// <summary>Stored when a platform gives no source or country, so a breakdown still sums to the total.</summary>
    public const string Unknown = "unknown";

    /// <summary>The fact an event carries, or null for events history does not keep.</summary>
    public static object? From(CommerceEvent commerceEvent)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        return commerceEvent switch
        {
            OrderEvent order => FromOrder(order),
            RefundIssued refund => new RefundFact(
                refund.Store.TenantId,
                refund.Store.StoreId,
                refund.Channel,
                refund.RefundId,
                refund.OrderId,
                refund.OccurredAt.ToUniversalTime(),
                Cents(refund.Amount),
                refund.Units,
                [.. refund.Lines.Select((line, i) => new RefundLineFact(i + 1, line.Sku, line.Quantity, Cents(line.Quantity * line.UnitPrice)))]),
            SessionStarted session => new SessionFact(
                session.Store.TenantId,
                session.Store.StoreId,
                session.Channel,
                session.SessionId,
                session.OccurredAt.ToUniversalTime(),
                OrUnknown(session.Source)),
            ShipmentUpdated shipment => new ShipmentFact(
                shipment.Store.TenantId,
                shipment.Store.StoreId,
                shipment.Carrier.Trim(),
                shipment.TrackingCode.Trim(),
                shipment.EventId,
                shipment.Status.Trim().ToLowerInvariant(),
                shipment.StatusDetail?.Trim() ?? string.Empty,
                shipment.OrderId?.Trim() ?? string.Empty,
                shipment.OccurredAt.ToUniversalTime(),
                shipment.EstimatedDelivery?.ToUniversalTime(),
                shipment.ShippedAt?.ToUniversalTime(),
                shipment.DeliveredAt?.ToUniversalTime(),
                shipment.PublicUrl?.Trim() ?? string.Empty),
            _ => null,
        };
    }

    private static OrderFact FromOrder(OrderEvent order)
    {
        // By index: Select's iterator, the boxed enumerator under it and Sum's second one were three objects an order on
        // the fold's path (every event an entity accepts becomes a fact).
        var lines = new OrderLineFact[order.Lines.Count];
        var units = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = order.Lines[i];
            lines[i] = new OrderLineFact(i + 1, line.Sku, line.Title, line.Quantity, line.UnitPrice, Cents(line.Quantity * line.UnitPrice));
            units = checked(units + line.Quantity);
        }

        return new OrderFact(
            order.Store.TenantId,
            order.Store.StoreId,
            order.Channel,
            order.OrderId,
            order.Version.ToUnixTimeMilliseconds(),
            order.PlacedAt.ToUniversalTime(),
            order.Currency,
            Cents(order.TotalPrice),
            units,
            order.ReturningCustomer,
            order.CancelledAt is not null,
            OrUnknown(order.SourceName),
            OrUnknown(order.CountryCode),
            lines)
        {
            CustomerKey = CustomerKey(order),
        };
    }

    /// <summary>
    /// The buyer of an order: the channel's own customer id when it sent one ("id:{channel}:{id}", since two channels'
    /// ids may collide), else the hashed e-mail ("email:{hash}", a guest who left an address), else "" (an unidentified
    /// guest, never counted as a customer). The prefixes keep an id from ever equalling a hash; an id that is an e-mail
    /// address is kept as its hash, so no plain address reaches history.
    /// </summary>
    public static string CustomerKey(OrderEvent order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!string.IsNullOrWhiteSpace(order.CustomerId))
        {
            // Imports and some channels give the buyer's e-mail as their id: history keeps only its hash, as for any address,
            // and the buyer then matches their orders that came with the address itself.
            return order.CustomerId.Contains('@', StringComparison.Ordinal)
                ? $"email:{OrderAttribution.HashEmail(order.CustomerId)}"
                : $"id:{order.Channel.ToString().ToLowerInvariant()}:{order.CustomerId.Trim()}";
        }

        return string.IsNullOrWhiteSpace(order.CustomerEmailHash) ? string.Empty : $"email:{order.CustomerEmailHash.Trim().ToLowerInvariant()}";
    }

    /// <summary>Money is kept to the cent, rounded half away from zero as shops round prices.</summary>
    public static decimal Cents(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    private static string OrUnknown(string? value) => string.IsNullOrWhiteSpace(value) ? Unknown : value.Trim();
}
