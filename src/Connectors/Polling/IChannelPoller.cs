using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Polling;

/// <summary>Where a poller hands its events; returns once they are durable, so the cursor may move past them.</summary>
public interface ICommerceEventSink
{
    /// <summary>Makes the events durable and returns how many were new (repeats are not counted twice).</summary>
    Task<int> PublishAsync(IReadOnlyList<CommerceEvent> events, CancellationToken cancellationToken);
}

/// <summary>What one poll did, for the sync status a user sees.</summary>
/// <param name="EventsPublished">Events handed to the sink and stored as new.</param>
/// <param name="Pages">Pages fetched from the channel.</param>
/// <param name="Summary">One line for people, e.g. "12 orders updated since 2026-11-25T10:00:00Z".</param>
public sealed record PollOutcome(int EventsPublished, int Pages, string Summary);

/// <summary>The answer to "test connection": whether the credentials work and what the channel said.</summary>
public sealed record ConnectionCheck(bool Ok, string Detail);

/// <summary>
/// A channel read on a schedule. Each poll resumes from a stored cursor and saves it only after the events of a
/// page are durable, so a restart repeats at most one page (which dedupe absorbs) and never skips one.
/// </summary>
public interface IChannelPoller
{
    SalesChannel Channel { get; }

    /// <summary>One cheap authenticated request that proves the settings and credentials work.</summary>
    Task<ConnectionCheck> TestConnectionAsync(CancellationToken cancellationToken);

    Task<PollOutcome> PollAsync(ICommerceEventSink sink, CancellationToken cancellationToken);
}
