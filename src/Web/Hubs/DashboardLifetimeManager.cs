using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace SalesDash.Web.Hubs;

/// <summary>
/// SignalR's own connection and group bookkeeping for the dashboard hub, plus one thing it lacks: writing a message
/// serialised once to one connection, with a completion of that connection's own. A group send completes only when
/// its slowest member has taken the message, and a send per connection serialises the message again for each one;
/// the <see cref="TileRelayActor"/> needs neither: one serialisation per update, and each screen paced by itself.
/// </summary>
public class DashboardLifetimeManager(ILogger<DefaultHubLifetimeManager<DashboardHub>> logger) : DefaultHubLifetimeManager<DashboardHub>(logger)
{
    private readonly ConcurrentDictionary<string, HubConnectionContext> _connections = new(StringComparer.Ordinal);

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connections[connection.ConnectionId] = connection;
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connections.TryRemove(connection.ConnectionId, out _);
        return base.OnDisconnectedAsync(connection);
    }

    /// <summary>
    /// Writes <paramref name="message"/> to the connection; completes once the connection's buffer has taken it (at
    /// once, unless the client has stopped reading). A connection that has gone is skipped.
    /// </summary>
    public virtual ValueTask WriteAsync(string connectionId, SerializedHubMessage message) =>
        _connections.TryGetValue(connectionId, out var connection) ? connection.WriteAsync(message) : ValueTask.CompletedTask;
}
