using Microsoft.AspNetCore.SignalR;
using SalesDash.Web.Alerts;

namespace SalesDash.Web.Hubs;

/// <summary>
/// Everything the server pushes to an open dashboard or wallboard, in one typed contract, so a push cannot misspell a
/// method name or send the wrong payload. The wire names are fixed by <see cref="HubMethodNameAttribute"/>: browsers
/// already listen for them, so renaming a C# method must not rename the message.
/// </summary>
public interface IDashboardClient
{
    /// <summary>The store's tiles changed (coalesced per connection by <see cref="TileRelayActor"/>); on the wire a <c>DashboardTiles</c>.</summary>
    [HubMethodName(DashboardHub.TilesMethod)]
    Task Tiles(TilesPush tiles, CancellationToken cancellationToken);

    /// <summary>An alert opened or resolved on the store, for a toast.</summary>
    [HubMethodName(DashboardHub.AlertMethod)]
    Task Alert(AlertToast toast, CancellationToken cancellationToken);
}
