using System.Text.Json;
using SalesDash.Connectors.GoogleAnalytics;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Web.Visitors;

/// <summary>A store's latest GA4 realtime reading, and how the last attempt went (the reading stays when a later attempt fails).</summary>
public sealed record VisitorState(Ga4LiveReading? Reading, DateTimeOffset LastAttemptAt, string? LastError);

/// <summary>
/// Where the realtime poll leaves each store's latest reading. Kept in the app database beside the pollers' cursors
/// (one JSON per store and stream), so whichever node answers the live page reads what the polling node wrote.
/// </summary>
public sealed class VisitorReadings(ICursorStore cursors)
{
    /// <summary>The stream name under which the reading is kept; the hourly GA4 poller uses "ga4-sessions".</summary>
    public const string Stream = "ga4-live";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<VisitorState?> LoadAsync(StoreRef store, CancellationToken cancellationToken)
    {
        var text = await cursors.LoadAsync(store, Stream, cancellationToken);
        if (text is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<VisitorState>(text, Json);
        }
        catch (JsonException)
        {
            // A reading from an older shape is worth nothing a minute later: the next poll replaces it.
            return null;
        }
    }

    public Task SaveAsync(StoreRef store, VisitorState state, CancellationToken cancellationToken) =>
        cursors.SaveAsync(store, Stream, JsonSerializer.Serialize(state, Json), cancellationToken);
}
